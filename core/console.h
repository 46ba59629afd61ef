/* The console registry: every registered console receives all kernel and
 * application output. The early console is chosen from what the platform
 * offers (init/console_select.c: COM1 when a UART answers; a framebuffer or a
 * VMBus console later, on machines without COM1). Output written before any
 * console exists is kept (up to CONSOLE_EARLY_BYTES) and replayed to the
 * first console that registers, so nothing printed while booting is lost. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_EARLY_BYTES 2048 /* the whole banner; .bss is the memory floor */

struct console {
    const char *name;
    void (*write)(struct console *c, const char *buf, size_t n);
    unsigned long dropped; /* bytes the device could not take */
    struct console *next;
};

void console_register(struct console *c);
void console_write(const char *buf, size_t n);
/* Consoles registered so far (NULL when none). */
struct console *console_first(void);
/* Bytes of early output that did not fit the buffer before a console came. */
uint64_t console_early_lost(void);

#endif
