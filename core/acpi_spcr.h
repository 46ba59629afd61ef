/* The serial console the ACPI SPCR table names (core/acpi_spcr.c). */
#ifndef CORE_ACPI_SPCR_H
#define CORE_ACPI_SPCR_H

#include <stdint.h>

/* The I/O port of the 16550 the SPCR table t (len bytes, header already
 * checked) names. Returns 0, or -1 with the reason in *why (a UART this
 * kernel does not drive: memory-mapped or another type). */
int acpi_spcr_port(const uint8_t *t, uint32_t len, uint16_t *port, const char **why);

#endif
