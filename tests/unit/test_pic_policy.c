/* arch/x86_64/pic_policy.c: the UEFI entry touches the 8259s only when the
 * MADT says they exist; every other entry masks them as before. */
#include "arch/x86_64/pic_policy.h"
#include "unit.h"

static struct acpi_info madt(bool have, bool pcat)
{
    struct acpi_info a = {0};
    a.have_madt = have;
    a.pcat_compat = pcat;
    return a;
}

TEST(uefi_follows_pcat_compat)
{
    struct acpi_info without = madt(true, false), with = madt(true, true);
    CHECK(!pic_may_exist(BOOT_UEFI, &without)); /* Hyper-V generation 2 */
    CHECK(pic_may_exist(BOOT_UEFI, &with));     /* q35 with OVMF */
}

TEST(uefi_without_madt_assumes_a_pc)
{
    struct acpi_info none = madt(false, false);
    CHECK(pic_may_exist(BOOT_UEFI, &none));
}

TEST(other_entries_always_mask)
{
    struct acpi_info without = madt(true, false); /* Firecracker's MADT */
    CHECK(pic_may_exist(BOOT_PVH, &without));
    CHECK(pic_may_exist(BOOT_LINUX64, &without));
    CHECK(pic_may_exist(BOOT_MULTIBOOT, &without));
}

UNIT_MAIN()
