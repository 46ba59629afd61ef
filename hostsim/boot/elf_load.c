/* ELF64 layouts: System V ABI, "ELF-64 Object File Format" 1.5 (header 64
 * bytes, program header 56 bytes, note header 12 bytes). Values are read with
 * memcpy at checked offsets, never through pointers into the file. */
#include <stdio.h>
#include <string.h>

#include "hostsim/boot/elf_load.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define NHDR_SIZE 12
#define PT_LOAD 1
#define PT_NOTE 4
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define NOTE_ALIGN 4

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* [off, off+n) inside a file of len bytes, without overflow. */
static int in_file(uint64_t off, uint64_t n, size_t len)
{
    return off <= len && n <= len - off;
}

static uint64_t align4(uint64_t v)
{
    return (v + (NOTE_ALIGN - 1)) & ~(uint64_t)(NOTE_ALIGN - 1);
}

/* Walks one PT_NOTE the way linux-loader's parse_elf_note does: notes are
 * read while the running offset is below p_filesz (a note header may extend
 * past the segment, but never past the file). Returns 1 with *entry set when
 * the PVH note is found, 0 when not, -1 on a malformed note. */
static int find_pvh_note(const uint8_t *img, size_t len, uint64_t seg_off, uint64_t seg_size,
                         uint32_t *entry, char *err, size_t errlen)
{
    uint64_t pos = 0;
    while (pos < seg_size) {
        uint64_t at = seg_off + pos;
        if (at < seg_off || !in_file(at, NHDR_SIZE, len)) {
            snprintf(err, errlen, "PT_NOTE at file offset 0x%llx runs past the end of the file",
                     (unsigned long long)seg_off);
            return -1;
        }
        uint32_t namesz = get32(img + at), descsz = get32(img + at + 4);
        uint32_t type = get32(img + at + 8);
        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4) {
            if (!in_file(at + NHDR_SIZE, 4, len)) {
                snprintf(err, errlen, "PVH note name runs past the end of the file");
                return -1;
            }
            if (memcmp(img + at + NHDR_SIZE, "Xen", 4) == 0) {
                if (descsz < 4) {
                    snprintf(err, errlen,
                             "PVH note (Xen, type 18) has a %u-byte descriptor; the 32-bit entry "
                             "needs 4",
                             descsz);
                    return -1;
                }
                uint64_t desc = at + NHDR_SIZE + align4(namesz);
                if (!in_file(desc, 4, len)) {
                    snprintf(err, errlen, "PVH note descriptor runs past the end of the file");
                    return -1;
                }
                *entry = get32(img + desc);
                return 1;
            }
        }
        /* Both sizes are u32, so the sum cannot overflow a u64. */
        pos += NHDR_SIZE + align4(namesz) + align4(descsz);
    }
    return 0;
}

int elf_parse(const uint8_t *img, size_t len, uint64_t min_entry, struct elf_image *elf, char *err,
              size_t errlen)
{
    memset(elf, 0, sizeof *elf);
    if (len < EHDR_SIZE || memcmp(img, "\177ELF", 4) != 0) {
        snprintf(err, errlen,
                 "not an ELF file (Firecracker main would try it as a bzImage; hostsim loads "
                 "ELF only)");
        return -1;
    }
    if (img[4] != ELFCLASS64) {
        snprintf(err, errlen, "not a 64-bit ELF (EI_CLASS %u)", img[4]);
        return -1;
    }
    if (img[5] != ELFDATA2LSB) {
        snprintf(err, errlen, "big-endian ELF");
        return -1;
    }
    uint64_t entry = get64(img + 24), phoff = get64(img + 32);
    uint16_t phentsize = get16(img + 54), phnum = get16(img + 56);
    if (phentsize != PHDR_SIZE) {
        snprintf(err, errlen, "e_phentsize is %u, not %u", phentsize, PHDR_SIZE);
        return -1;
    }
    if (phoff < EHDR_SIZE || !in_file(phoff, (uint64_t)phnum * PHDR_SIZE, len)) {
        snprintf(err, errlen, "program headers (offset 0x%llx, %u entries) are outside the file",
                 (unsigned long long)phoff, phnum);
        return -1;
    }
    if (entry < min_entry) {
        snprintf(err, errlen, "e_entry 0x%llx is below 0x%llx, the lowest this monitor accepts",
                 (unsigned long long)entry, (unsigned long long)min_entry);
        return -1;
    }
    elf->entry = entry;

    int pvh_seen = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * PHDR_SIZE;
        uint32_t type = get32(ph);
        uint64_t offset = get64(ph + 8), paddr = get64(ph + 24);
        uint64_t filesz = get64(ph + 32), memsz = get64(ph + 40);
        if (type == PT_NOTE) {
            uint32_t pvh;
            int found = find_pvh_note(img, len, offset, filesz, &pvh, err, errlen);
            if (found < 0)
                return -1;
            /* The last PT_NOTE decides (linux-loader overwrites per segment). */
            elf->has_pvh = found;
            if (found) {
                elf->pvh_entry = pvh;
                pvh_seen = 1;
            }
            continue;
        }
        if (type != PT_LOAD || filesz == 0)
            continue;
        if (!in_file(offset, filesz, len)) {
            snprintf(err, errlen, "PT_LOAD %u (offset 0x%llx, size 0x%llx) is outside the file", i,
                     (unsigned long long)offset, (unsigned long long)filesz);
            return -1;
        }
        if (elf->nloads >= ELF_MAX_LOADS) {
            snprintf(err, errlen, "more than %d PT_LOAD segments", ELF_MAX_LOADS);
            return -1;
        }
        elf->load[elf->nloads++] = (struct elf_segment){
            .offset = offset, .filesz = filesz, .memsz = memsz, .paddr = paddr};
    }
    elf->pvh_note_lost = pvh_seen && !elf->has_pvh;
    if (elf->nloads == 0) {
        snprintf(err, errlen, "no PT_LOAD segment with file contents");
        return -1;
    }
    return 0;
}

int elf_load(const struct elf_image *elf, const uint8_t *img, size_t len,
             const struct guest_mem *mem, char *err, size_t errlen)
{
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct elf_segment *s = &elf->load[i];
        if (!in_file(s->offset, s->filesz, len) ||
            guest_mem_write(mem, s->paddr, img + s->offset, s->filesz) != 0) {
            snprintf(err, errlen,
                     "segment at 0x%llx-0x%llx does not fit in guest RAM (give more --mem?)",
                     (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->filesz - 1));
            return -1;
        }
    }
    return 0;
}
