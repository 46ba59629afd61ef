/* Console device class: every registered console receives all kernel and
 * application output. COM1 registers first; later VMBus or framebuffer
 * consoles register the same way. */
#ifndef DEV_CONSOLE_H
#define DEV_CONSOLE_H

#include <stddef.h>

struct console {
    const char *name;
    void (*write)(struct console *c, const char *buf, size_t n);
    unsigned long dropped; /* bytes the device could not take */
    struct console *next;
};

void console_register(struct console *c);
void console_write(const char *buf, size_t n);

#endif
