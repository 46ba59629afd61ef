/* Whether the 8259 PICs may exist (arch/x86_64/pic_policy.h). */
#include "arch/x86_64/pic_policy.h"

bool pic_may_exist(enum boot_protocol protocol, const struct acpi_info *acpi)
{
    return protocol != BOOT_UEFI || !acpi->have_madt || acpi->pcat_compat;
}
