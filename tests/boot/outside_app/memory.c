/* Memory: malloc, realloc, calloc and free of many sizes, each block's
 * contents checked; an allocation too large for the VM; the app's stack
 * (anyvm.toml's stack). Integers only (--no-float runs this). A block is
 * checked at its ends and at one byte of each page, which finds a block
 * that overlaps another or lost its contents while staying cheap on a slow
 * machine. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "outside.h"

#define BLOCKS 48
#define ROUNDS 4
#define MAX_SHIFT 18 /* blocks up to 256 KiB and a little more */
#define PAGE 4096
#define STACK_BUFFER (96 * 1024)

/* The bytes of a block that are written and checked: its first and last
 * 16 and one at the start of each page. */
static size_t next_probe(size_t at, size_t size)
{
    size_t tail = size > 16 ? size - 16 : 0;
    if (at + 1 < 16 || at + 1 >= tail)
        return at + 1;
    size_t page = (at / PAGE + 1) * PAGE;
    return page < tail ? page : tail;
}

static unsigned char tag_of(size_t block, size_t at)
{
    return (unsigned char)(block * 31 + at * 7 + 1);
}

static void fill(unsigned char *p, size_t size, size_t block)
{
    for (size_t at = 0; at < size; at = next_probe(at, size))
        p[at] = tag_of(block, at);
}

/* Whether what fill wrote into a block of `size` bytes is still there in
 * its first `kept` bytes. */
static int intact(const unsigned char *p, size_t size, size_t kept, size_t block)
{
    for (size_t at = 0; at < size && at < kept; at = next_probe(at, size))
        if (p[at] != tag_of(block, at))
            return 0;
    return 1;
}

static int zeroed(const unsigned char *p, size_t size)
{
    for (size_t at = 0; at < size; at = next_probe(at, size))
        if (p[at] != 0)
            return 0;
    return 1;
}

static size_t size_of(int round, int block)
{
    int shift = (round * 5 + block) % (MAX_SHIFT + 1);
    return ((size_t)1 << shift) + (size_t)(block * 3 + round);
}

int check_memory(void)
{
    unsigned char *blocks[BLOCKS] = {0};
    size_t sizes[BLOCKS] = {0};
    size_t largest = 0, count = 0;
    int failed = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int b = 0; b < BLOCKS; b++) {
            if (blocks[b] != NULL && !intact(blocks[b], sizes[b], sizes[b], (size_t)b)) {
                printf("outside: FAIL block %d (%zu bytes) changed\n", b, sizes[b]);
                failed++;
            }
            /* Every other block grows or shrinks in place of being freed. */
            size_t size = size_of(round, b);
            unsigned char *p;
            if (blocks[b] != NULL && b % 2 == 0) {
                size_t kept = size < sizes[b] ? size : sizes[b];
                p = realloc(blocks[b], size);
                if (p != NULL && !intact(p, sizes[b], kept, (size_t)b)) {
                    printf("outside: FAIL realloc of block %d to %zu lost its contents\n", b, size);
                    failed++;
                }
            } else {
                free(blocks[b]);
                p = round % 2 ? calloc(1, size) : malloc(size);
                if (p != NULL && round % 2 && !zeroed(p, size)) {
                    printf("outside: FAIL calloc of %zu bytes not zero\n", size);
                    failed++;
                }
            }
            blocks[b] = p;
            if (p == NULL || (uintptr_t)p % 16 != 0) {
                printf("outside: FAIL allocation of %zu bytes: %p\n", size, (void *)p);
                return failed + 1;
            }
            sizes[b] = size;
            fill(p, size, (size_t)b);
            largest = size > largest ? size : largest;
            count++;
        }
    }
    for (int b = 0; b < BLOCKS; b++) {
        if (!intact(blocks[b], sizes[b], sizes[b], (size_t)b)) {
            printf("outside: FAIL block %d (%zu bytes) changed\n", b, sizes[b]);
            failed++;
        }
        free(blocks[b]);
    }
    printf("outside: malloc/realloc/calloc/free: %zu blocks up to %zu bytes, %s\n", count, largest,
           failed ? "FAILED" : "contents intact");

    /* Kept in a volatile: the compiler may otherwise drop a malloc whose
     * block is only freed, and take it as having succeeded. */
    /* Called through a volatile pointer: clang takes malloc for a function
     * that leaves errno alone and would print the 0 stored here. */
    void *(*volatile allocate)(size_t) = malloc;
    errno = 0;
    void *volatile huge = allocate((size_t)1 << 40);
    int err = errno;
    printf("outside: malloc(1 TiB) = %s: %s %s\n", huge ? "a block" : "NULL", errno_name(err),
           strerror(err));
    free(huge);
    return failed + (huge != NULL);
}

/* A buffer larger than the default 64 KiB stack: it fits only when the
 * image's stack is what anyvm.toml asked for. */
int check_stack(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_STACK, &lim) != 0) {
        printf("outside: FAIL getrlimit(RLIMIT_STACK): %s\n", strerror(errno));
        return 1;
    }
    printf("outside: RLIMIT_STACK %llu\n", (unsigned long long)lim.rlim_cur);
    volatile unsigned char buffer[STACK_BUFFER];
    unsigned sum = 0;
    for (size_t at = 0; at < sizeof buffer; at += PAGE / 4)
        buffer[at] = (unsigned char)(at / PAGE);
    for (size_t at = 0; at < sizeof buffer; at += PAGE / 4)
        sum += buffer[at];
    printf("outside: %d KiB on the stack, page sum %u\n", STACK_BUFFER / 1024, sum);
    return 0;
}
