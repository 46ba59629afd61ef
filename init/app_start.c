/* Starts the app as a Linux kernel starts a static program (the System V
 * x86-64 psABI, 3.4.1 "Initial Stack and Register State"): argc, the
 * argument pointers, a NULL, the environment pointers, a NULL, then the
 * auxiliary vector (type, value pairs ending with AT_NULL), handed to
 * musl's __libc_start_main (musl 1.2.3 src/env/__libc_start_main.c), which
 * finds the environment and the auxiliary vector after argv as Linux lays
 * them out. musl then sets up the thread pointer (arch_prctl through sys/),
 * runs the constructors, calls main and passes its result to exit(), whose
 * exit_group ends the VM (sys/). The app runs on a stack of its own. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "core/arch.h"
#include "core/cmdline.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "init/app_config.h"
#include "init/init.h"
#include "sys/getrandom.h"
#include "sys/sys.h"

/* Auxiliary vector types (Linux include/uapi/linux/auxvec.h). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

/* The app's stack unless its anyvm.toml says otherwise: what musl's printf
 * needs for a long double (about 8 KiB of digits) with room to spare, and
 * small enough for the memory floor. */
#define APP_STACK_BYTES (64 * 1024)
#define CLOCK_TICKS 100 /* what times() counts in, as Linux's USER_HZ */
#define APP_ENV_PREFIX "env."
#define MAX_AUX 16

/* The ELF header of the image, which the linker puts at the start of the
 * loaded segment (arch/x86_64/kernel.ld); its program headers follow it
 * there, and musl looks in them for a TLS segment. */
extern const char __ehdr_start[];
struct elf64_ehdr_head {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum;
};

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init_dummy)(void), void (*fini_dummy)(void), void (*ldso_dummy)(void));
int main(int, char **, char **);

struct start_block {
    uintptr_t words[1 + CMDLINE_MAX_ARGS + 2 + CMDLINE_MAX_PARAMS + 1 + 2 * MAX_AUX];
    uint8_t random[16];
};

static struct start_block block;
static char env_text[CMDLINE_MAX_BYTES];
static char *const *start_argv;
static int start_argc;

/* AT_RANDOM's 16 bytes seed musl's hardening secrets (the guard of code
 * built with -fstack-protector, which anyvm's builds are not, and the
 * checks of musl's internal allocator); the app's own randomness comes
 * through getrandom, which says when its bytes are weak. So RDRAND where
 * the CPU has it, else the time stamp counter, without a warning at every
 * boot of a CPU that lacks RDRAND (QEMU's default under TCG). */
static void fill_at_random(uint8_t *out, size_t n)
{
    if (sys_random_fill(SYS_RANDOM_RDRAND, out, n))
        return;
    uint64_t x = rdtsc_ordered();
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; /* xorshift64 (Marsaglia 2003), stirred by the TSC */
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (uint8_t)(x ^ (rdtsc_ordered() >> 3));
    }
}

static bool repeated_later(const struct cmdline *cl, unsigned i)
{
    for (unsigned j = i + 1; j < cl->nparams; j++)
        if (strcmp(cl->params[j].key, cl->params[i].key) == 0)
            return true;
    return false;
}

static void start(void *unused)
{
    (void)unused;
    __libc_start_main(main, start_argc, (char **)start_argv, NULL, NULL, NULL);
    panic("__libc_start_main returned");
}

void app_start(const struct cmdline *cl)
{
    const char *name = anyvm_app_name;
    uintptr_t *w = block.words;
    size_t n = 0;
    size_t argc_at = n++;
    char **argv = (char **)&w[n];
    w[n++] = (uintptr_t)name;
    if (cl->argc > 0) {
        for (unsigned i = 0; i < cl->argc; i++)
            w[n++] = (uintptr_t)cl->argv[i];
    } else {
        /* the image's own defaults (anyvm.toml args), as many as fit */
        for (size_t i = 0; anyvm_app_default_args[i] != NULL && i < CMDLINE_MAX_ARGS; i++)
            w[n++] = (uintptr_t)anyvm_app_default_args[i];
    }
    w[argc_at] = n - argc_at - 1; /* argc: the name and the arguments */
    w[n++] = 0;
    /* env.KEY=VALUE on the command line: KEY=VALUE in the environment, in
     * command-line order (a later KEY wins in getenv, which takes the
     * first: so a repeated KEY is listed once, with its last value). */
    size_t used = 0;
    for (unsigned i = 0; i < cl->nparams; i++) {
        const char *key = cl->params[i].key;
        if (strncmp(key, APP_ENV_PREFIX, sizeof APP_ENV_PREFIX - 1) != 0)
            continue;
        key += sizeof APP_ENV_PREFIX - 1;
        if (repeated_later(cl, i))
            continue; /* a later env.KEY= replaces this one */
        const char *value = cl->params[i].value ? cl->params[i].value : "";
        size_t klen = strlen(key), vlen = strlen(value);
        if (klen == 0 || used + klen + vlen + 2 > sizeof env_text) {
            kprintf("anyvm: environment entry env.%s ignored: %s\n", key,
                    klen == 0 ? "no name" : "no room left");
            continue;
        }
        char *e = env_text + used;
        memcpy(e, key, klen);
        e[klen] = '=';
        memcpy(e + klen + 1, value, vlen + 1);
        used += klen + vlen + 2;
        w[n++] = (uintptr_t)e;
    }
    w[n++] = 0;

    const struct elf64_ehdr_head *eh = (const void *)__ehdr_start;
    fill_at_random(block.random, sizeof block.random);
    const uintptr_t aux[][2] = {
        {AT_PHDR, (uintptr_t)__ehdr_start + eh->phoff},
        {AT_PHENT, eh->phentsize},
        {AT_PHNUM, eh->phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_ENTRY, eh->entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_HWCAP, cpuid(1, 0).edx},
        {AT_CLKTCK, CLOCK_TICKS},
        {AT_SECURE, 0},
        {AT_RANDOM, (uintptr_t)block.random},
        {AT_EXECFN, (uintptr_t)name},
        {AT_NULL, 0},
    };
    for (size_t i = 0; i < sizeof aux / sizeof aux[0]; i++) {
        w[n++] = aux[i][0];
        w[n++] = aux[i][1];
    }

    start_argc = (int)w[argc_at];
    start_argv = argv;
    size_t stack_bytes = anyvm_app_stack_bytes ? anyvm_app_stack_bytes : APP_STACK_BYTES;
    size_t pages = (stack_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t stack = page_alloc(&kernel_pages, pages, PAGE_SIZE);
    if (stack == 0)
        panic("no memory for the app's stack (%zu KiB)", stack_bytes / 1024);
    arch_stack_register(stack, stack + pages * PAGE_SIZE);
    sys_reset(); /* descriptors 0-2 on the console, no mappings, no handlers */
    sys_set_stack_size(pages * PAGE_SIZE); /* what getrlimit(RLIMIT_STACK) says */
    /* 16-byte aligned at the call, as the psABI wants (3.2.2). */
    arch_run_on_stack((void *)(uintptr_t)(stack + pages * PAGE_SIZE), start, NULL);
}
