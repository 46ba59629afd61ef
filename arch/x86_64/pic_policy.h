/* Whether the kernel may program the 8259 PICs at all. Pure logic
 * (arch/x86_64/pic_policy.c); ioapic.c acts on it.
 *
 * The UEFI entry obeys the MADT: its PCAT_COMPAT flag says a dual 8259 is
 * there (ACPI 6.5 section 5.2.12, table 5.20), and then it is masked, as
 * that section asks when the APICs are used; without the flag nothing
 * touches ports 0x20/0x21/0xA0/0xA1 (Hyper-V generation 2 has no 8259,
 * and UEFI class 3 machines need none). The other entries mask the 8259s
 * whatever the MADT says: Firecracker's MADT clears PCAT_COMPAT although
 * KVM's in-kernel 8259s are there and deliver through LINT0. */
#ifndef ARCH_X86_64_PIC_POLICY_H
#define ARCH_X86_64_PIC_POLICY_H

#include <stdbool.h>

#include "boot/bootinfo.h"
#include "core/acpi.h"

bool pic_may_exist(enum boot_protocol protocol, const struct acpi_info *acpi);

#endif
