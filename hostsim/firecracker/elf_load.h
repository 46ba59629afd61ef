/* The kernel image as Firecracker loads it (linux-loader v0.14.0
 * src/loader/elf/mod.rs, called from arch/x86_64/mod.rs load_kernel):
 *   - every PT_LOAD with p_filesz != 0 is copied, p_filesz bytes from
 *     p_offset, to guest-physical p_paddr; nothing is zeroed past p_filesz
 *     (fresh guest RAM is zero anyway) and a PT_LOAD with p_filesz == 0 is
 *     skipped whatever its p_memsz;
 *   - e_entry must be >= 1 MiB (HIMEM_START), even when the PVH entry is used;
 *   - each PT_NOTE is searched for a note named "Xen\0" of type 18
 *     (XEN_ELFNOTE_PHYS32_ENTRY) whose descriptor starts with the 32-bit PVH
 *     entry point. Each PT_NOTE segment overwrites the verdict of the ones
 *     before it, so the *last* PT_NOTE decides; a PVH note whose descriptor
 *     is shorter than 4 bytes fails the load.
 * Parsing is pure and checks every offset and size against the file; hostsim
 * additionally insists on ELFCLASS64 (linux-loader does not check the class). */
#ifndef HOSTSIM_FC_ELF_LOAD_H
#define HOSTSIM_FC_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"

#define FC_ELF_MAX_LOADS 64

struct fc_elf_segment {
    uint64_t offset, filesz, memsz, paddr;
};

struct fc_elf {
    uint64_t entry; /* e_entry: the Linux 64-bit boot entry */
    unsigned nloads;
    struct fc_elf_segment load[FC_ELF_MAX_LOADS];
    int has_pvh;        /* the deciding (last) PT_NOTE holds the PVH note */
    uint32_t pvh_entry; /* its 32-bit entry point */
    int pvh_note_lost;  /* an earlier PT_NOTE had the note, a later one overrode it */
};

/* Returns 0, or -1 with a reason in err. img is the whole file. */
int fc_elf_parse(const uint8_t *img, size_t len, struct fc_elf *elf, char *err, size_t errlen);

/* Copies the PT_LOAD contents into guest RAM. Each segment must lie inside
 * one RAM region. Returns 0, or -1 with a reason in err. */
int fc_elf_load(const struct fc_elf *elf, const uint8_t *img, size_t len,
                const struct guest_mem *mem, char *err, size_t errlen);

#endif
