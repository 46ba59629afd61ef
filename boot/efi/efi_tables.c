/* The configuration table (UEFI 2.10 section 4.6) and the graphics output
 * mode (section 12.9) in struct bootinfo terms. Pure logic. */
#include <stdint.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"
#include "core/unaligned.h"

uint64_t efi_config_find(const struct efi_configuration_table *t, uint64_t n,
                         const struct efi_guid *guid)
{
    for (uint64_t i = 0; i < n; i++)
        if (memcmp(&t[i].vendor_guid, guid, sizeof *guid) == 0)
            return (uint64_t)(uintptr_t)t[i].vendor_table;
    return 0;
}

int efi_device_path_find_acpi(const uint8_t *dp, size_t max, uint32_t hid, uint32_t *uid)
{
    size_t pos = 0;
    while (dp != NULL && pos + 4 <= max) {
        uint8_t type = dp[pos], subtype = dp[pos + 1];
        uint16_t len = rd16(dp + pos + 2);
        if (len < 4 || len > max - pos)
            return -1;
        if (type == EFI_DP_TYPE_END)
            return -1;
        if (type == EFI_DP_TYPE_ACPI && subtype == EFI_DP_SUBTYPE_ACPI && len >= 12 &&
            rd32(dp + pos + 4) == hid) {
            *uid = rd32(dp + pos + 8);
            return 0;
        }
        pos += len;
    }
    return -1;
}

/* The lowest set bit and the width of a contiguous mask; -1 when the mask
 * is empty or has holes. */
static int mask_field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
    if (mask == 0)
        return -1;
    unsigned p = (unsigned)__builtin_ctz(mask);
    uint32_t m = mask >> p;
    if ((m & (m + 1)) != 0)
        return -1;
    *pos = (uint8_t)p;
    *size = (uint8_t)(32 - __builtin_clz(m));
    return 0;
}

int efi_gop_framebuffer(const struct efi_graphics_output_mode_information *info, uint64_t info_size,
                        uint64_t base, uint64_t size, struct framebuffer *fb, const char **why)
{
    if (info == NULL || info_size < sizeof *info) {
        *why = "mode information missing or too short";
        return -1;
    }
    memset(fb, 0, sizeof *fb);
    fb->kind = FRAMEBUFFER_RGB;
    fb->addr = base;
    fb->width = info->horizontal_resolution;
    fb->height = info->vertical_resolution;
    fb->bpp = 32; /* every format with a framebuffer has 32-bit pixels (section 12.9) */
    switch (info->pixel_format) {
    case EFI_PIXEL_RGB_RESERVED_8BIT:
        fb->rgb[FB_RED].pos = 0;
        fb->rgb[FB_GREEN].pos = 8;
        fb->rgb[FB_BLUE].pos = 16;
        break;
    case EFI_PIXEL_BGR_RESERVED_8BIT:
        fb->rgb[FB_BLUE].pos = 0;
        fb->rgb[FB_GREEN].pos = 8;
        fb->rgb[FB_RED].pos = 16;
        break;
    case EFI_PIXEL_BIT_MASK:
        if (mask_field(info->red_mask, &fb->rgb[FB_RED].pos, &fb->rgb[FB_RED].size) != 0 ||
            mask_field(info->green_mask, &fb->rgb[FB_GREEN].pos, &fb->rgb[FB_GREEN].size) != 0 ||
            mask_field(info->blue_mask, &fb->rgb[FB_BLUE].pos, &fb->rgb[FB_BLUE].size) != 0) {
            *why = "colour mask empty or not contiguous";
            return -1;
        }
        break;
    case EFI_PIXEL_BLT_ONLY:
        *why = "Blt only: no framebuffer";
        return -1;
    default:
        *why = "unknown pixel format";
        return -1;
    }
    if (info->pixel_format != EFI_PIXEL_BIT_MASK)
        for (unsigned i = 0; i < 3; i++)
            fb->rgb[i].size = 8;
    if (info->pixels_per_scan_line > UINT32_MAX / 4 ||
        info->pixels_per_scan_line < info->horizontal_resolution) {
        *why = "scan line shorter than the width";
        return -1;
    }
    fb->pitch = info->pixels_per_scan_line * 4;
    if ((uint64_t)fb->pitch * fb->height > size) {
        *why = "framebuffer smaller than its lines";
        return -1;
    }
    return 0;
}
