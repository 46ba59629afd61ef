/* Devices the firmware describes in its AML: the DSDT and every SSDT are
 * searched with the one AML reader (core/aml.h). Pure logic. */
#include "klib/format.h"

#include "core/acpi.h"
#include "core/acpi_table.h"

unsigned acpi_find_devices(const struct phys_window *w, const struct acpi_info *info,
                           const char *id, const char *who,
                           void (*found)(const struct aml_device *d, void *ctx), void *ctx)
{
    unsigned n = 0;
    if (!info->found)
        return 0;
    for (unsigned i = 0;; i++) {
        const char *sig = i == 0 ? "DSDT" : "SSDT";
        uint32_t len;
        uint64_t at = acpi_find_table(w, info, sig, i == 0 ? 0 : i - 1, &len);
        if (at == 0) {
            if (i == 0)
                continue; /* no DSDT: SSDTs may still describe devices */
            break;
        }
        const uint8_t *t = phys_ptr(w, at, len);
        if (t == NULL || len < ACPI_HDR_LEN)
            continue;
        char name[8];
        ksnprintf(name, sizeof name, i == 0 ? "DSDT" : "SSDT%u", i - 1);
        n += aml_find_devices(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN, name, who, id, found, ctx);
    }
    return n;
}
