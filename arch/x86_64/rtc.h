/* The CMOS real-time clock (arch/x86_64/rtc.c). */
#ifndef ARCH_X86_64_RTC_H
#define ARCH_X86_64_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/civil_time.h"

/* Reads a consistent snapshot of the clock's registers; century_index is the
 * FADT's CENTURY register (0: none). False when the clock never finishes an
 * update (absent hardware may also read as all ones: cmos_rtc_decode). */
bool rtc_read(struct cmos_rtc_raw *out, uint8_t century_index);

#endif
