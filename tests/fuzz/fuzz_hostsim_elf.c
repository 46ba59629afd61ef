/* libFuzzer harness: hostsim's ELF loader (hostsim/boot/elf_load.c), whose
 * input - the kernel image - is the user's. The input is the image. Checks:
 *   - a parse that succeeds describes only what is in the file: every
 *     segment's bytes inside it, at most ELF_MAX_LOADS of them, e_entry at
 *     or above the minimum, and the same verdict on a second parse;
 *   - loading into a guest RAM of two regions either puts each segment's
 *     bytes at its p_paddr (read back through guest_mem; a later segment may
 *     overwrite an earlier one, so only segments nothing later overlaps are
 *     compared) or fails because a segment does not fit in one region;
 *   - bytes around the regions (guards) are never written.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_elf.c hostsim/boot/elf_load.c hostsim/guest_mem.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/boot/elf_load.h"
#include "tests/fuzz/fuzz_input.h"

#define LOW_GPA 0x0ull
#define LOW_SIZE 0x10000ull
#define HIGH_GPA 0x100000ull
#define HIGH_SIZE 0x40000ull
#define GUARD 256
#define MIN_ENTRY 0x100000ull

static uint8_t low[LOW_SIZE + 2 * GUARD], high[HIGH_SIZE + 2 * GUARD];

static int fits(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
    return guest_mem_ptr(m, gpa, len) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image elf, again;
    char err[256];
    int rc = elf_parse(data, size, MIN_ENTRY, &elf, err, sizeof err);
    BROKEN_IF(elf_parse(data, size, MIN_ENTRY, &again, err, sizeof err) != rc);
    if (rc != 0) {
        BROKEN_IF(err[0] == '\0'); /* every refusal says why */
        return 0;
    }
    BROKEN_IF(memcmp(&elf, &again, sizeof elf) != 0);
    BROKEN_IF(elf.entry < MIN_ENTRY || elf.nloads == 0 || elf.nloads > ELF_MAX_LOADS);
    for (unsigned i = 0; i < elf.nloads; i++) {
        const struct elf_segment *s = &elf.load[i];
        BROKEN_IF(s->filesz == 0 || s->offset > size || s->filesz > size - s->offset);
    }

    memset(low, 0xA5, sizeof low);
    memset(high, 0xA5, sizeof high);
    memset(low + GUARD, 0, LOW_SIZE);
    memset(high + GUARD, 0, HIGH_SIZE);
    struct guest_mem mem;
    memset(&mem, 0, sizeof mem);
    BROKEN_IF(guest_mem_add(&mem, LOW_GPA, LOW_SIZE, low + GUARD) != 0);
    BROKEN_IF(guest_mem_add(&mem, HIGH_GPA, HIGH_SIZE, high + GUARD) != 0);
    int all_fit = 1;
    for (unsigned i = 0; i < elf.nloads; i++)
        all_fit &= fits(&mem, elf.load[i].paddr, elf.load[i].filesz);
    rc = elf_load(&elf, data, size, &mem, err, sizeof err);
    BROKEN_IF((rc == 0) != all_fit);
    if (rc == 0) {
        for (unsigned i = 0; i < elf.nloads; i++) {
            const struct elf_segment *s = &elf.load[i];
            int overwritten = 0;
            for (unsigned j = i + 1; j < elf.nloads; j++) {
                const struct elf_segment *t = &elf.load[j];
                overwritten |= t->paddr < s->paddr + s->filesz && s->paddr < t->paddr + t->filesz;
            }
            if (!overwritten)
                BROKEN_IF(memcmp(guest_mem_ptr(&mem, s->paddr, s->filesz), data + s->offset,
                                 s->filesz) != 0);
        }
    }
    for (size_t i = 0; i < GUARD; i++) {
        BROKEN_IF(low[i] != 0xA5 || low[GUARD + LOW_SIZE + i] != 0xA5);
        BROKEN_IF(high[i] != 0xA5 || high[GUARD + HIGH_SIZE + i] != 0xA5);
    }
    return 0;
}
