/* PVH boot parameters: see pvh.h. */
#include <string.h>

#include "hostsim/boot/pvh.h"

int pvh_write(const struct guest_mem *mem, uint64_t start_info_gpa, const struct pvh_params *p)
{
    uint8_t si[PVH_START_INFO_SIZE];
    memset(si, 0, sizeof si);
    uint32_t magic = PVH_START_MAGIC, version = 1, entries = p->nmap;
    uint32_t nr_modules = p->module_size != 0;
    uint64_t modlist = nr_modules ? p->modlist_paddr : 0;
    memcpy(si + 0, &magic, 4);
    memcpy(si + 4, &version, 4);
    /* 8 flags = 0 */
    memcpy(si + 12, &nr_modules, 4);
    memcpy(si + 16, &modlist, 8);
    memcpy(si + 24, &p->cmdline_paddr, 8);
    memcpy(si + 32, &p->rsdp_paddr, 8);
    memcpy(si + 40, &p->memmap_paddr, 8);
    memcpy(si + 48, &entries, 4);
    if (guest_mem_write(mem, start_info_gpa, si, sizeof si) != 0)
        return -1;
    if (nr_modules) {
        uint8_t m[PVH_MODLIST_ENTRY_SIZE];
        memset(m, 0, sizeof m);
        memcpy(m + 0, &p->module_paddr, 8);
        memcpy(m + 8, &p->module_size, 8);
        if (guest_mem_write(mem, p->modlist_paddr, m, sizeof m) != 0)
            return -1;
    }

    for (unsigned i = 0; i < p->nmap; i++) {
        uint8_t e[PVH_MEMMAP_ENTRY_SIZE];
        memset(e, 0, sizeof e);
        memcpy(e + 0, &p->map[i].addr, 8);
        memcpy(e + 8, &p->map[i].size, 8);
        memcpy(e + 16, &p->map[i].type, 4);
        if (guest_mem_write(mem, p->memmap_paddr + (uint64_t)i * PVH_MEMMAP_ENTRY_SIZE, e,
                            sizeof e) != 0)
            return -1;
    }
    return 0;
}
