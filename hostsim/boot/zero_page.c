/* The Linux zero page: see zero_page.h. */
#include <string.h>

#include "hostsim/boot/zero_page.h"

static void put(uint8_t *zp, unsigned off, const void *v, unsigned n)
{
    memcpy(zp + off, v, n);
}

int zero_page_build(uint8_t zp[ZERO_PAGE_SIZE], const struct zero_page_params *p)
{
    if (p->nmap > ZERO_PAGE_E820_MAX)
        return -1;
    memset(zp, 0, ZERO_PAGE_SIZE);
    uint8_t entries = (uint8_t)p->nmap;
    uint16_t boot_flag = 0xAA55;
    uint32_t header = 0x53726448; /* "HdrS" */
    put(zp, ZP_ACPI_RSDP_ADDR, &p->acpi_rsdp_addr, 8);
    put(zp, ZP_E820_ENTRIES, &entries, 1);
    put(zp, ZP_BOOT_FLAG, &boot_flag, 2);
    put(zp, ZP_HEADER, &header, 4);
    put(zp, ZP_TYPE_OF_LOADER, &p->type_of_loader, 1);
    put(zp, ZP_RAMDISK_IMAGE, &p->ramdisk_image, 4);
    put(zp, ZP_RAMDISK_SIZE, &p->ramdisk_size, 4);
    put(zp, ZP_CMD_LINE_PTR, &p->cmd_line_ptr, 4);
    put(zp, ZP_KERNEL_ALIGNMENT, &p->kernel_alignment, 4);
    put(zp, ZP_CMDLINE_SIZE, &p->cmdline_size, 4);
    for (unsigned i = 0; i < p->nmap; i++) {
        unsigned off = ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
        put(zp, off, &p->map[i].addr, 8);
        put(zp, off + 8, &p->map[i].size, 8);
        put(zp, off + 16, &p->map[i].type, 4);
    }
    return 0;
}
