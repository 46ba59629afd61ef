/* A kernel ELF image as the monitors hostsim models load it; first of all as
 * Firecracker does (linux-loader v0.14.0 src/loader/elf/mod.rs, called from
 * arch/x86_64/mod.rs load_kernel):
 *   - every PT_LOAD with p_filesz != 0 is copied, p_filesz bytes from
 *     p_offset, to guest-physical p_paddr; nothing is zeroed past p_filesz
 *     (fresh guest RAM is zero anyway) and a PT_LOAD with p_filesz == 0 is
 *     skipped whatever its p_memsz;
 *   - e_entry must be at least the caller's min_entry (Firecracker: 1 MiB,
 *     HIMEM_START, even when the PVH entry is used);
 *   - each PT_NOTE is searched for a note named "Xen\0" of type 18
 *     (XEN_ELFNOTE_PHYS32_ENTRY) whose descriptor starts with the 32-bit PVH
 *     entry point. Each PT_NOTE segment overwrites the verdict of the ones
 *     before it, so the *last* PT_NOTE decides; a PVH note whose descriptor
 *     is shorter than 4 bytes fails the load.
 * Parsing is pure and checks every offset and size against the file (the
 * image is user input: tests/fuzz/fuzz_hostsim_elf.c); hostsim additionally
 * insists on ELFCLASS64 (linux-loader does not check the class). */
#ifndef HOSTSIM_BOOT_ELF_LOAD_H
#define HOSTSIM_BOOT_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"

#define ELF_MAX_LOADS 64

struct elf_segment {
    uint64_t offset, filesz, memsz, paddr;
};

struct elf_image {
    uint64_t entry; /* e_entry: the Linux 64-bit boot entry */
    unsigned nloads;
    struct elf_segment load[ELF_MAX_LOADS];
    int has_pvh;        /* the deciding (last) PT_NOTE holds the PVH note */
    uint32_t pvh_entry; /* its 32-bit entry point */
    int pvh_note_lost;  /* an earlier PT_NOTE had the note, a later one overrode it */
};

/* Returns 0, or -1 with a reason in err. img is the whole file. */
int elf_parse(const uint8_t *img, size_t len, uint64_t min_entry, struct elf_image *elf, char *err,
              size_t errlen);

/* Copies the PT_LOAD contents into guest RAM. Each segment must lie inside
 * one RAM region. Returns 0, or -1 with a reason in err. */
int elf_load(const struct elf_image *elf, const uint8_t *img, size_t len,
             const struct guest_mem *mem, char *err, size_t errlen);

#endif
