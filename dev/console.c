#include "dev/console.h"

static struct console *consoles;

void console_register(struct console *c)
{
    struct console **p = &consoles;
    while (*p)
        p = &(*p)->next;
    c->next = NULL;
    *p = c;
}

void console_write(const char *buf, size_t n)
{
    for (struct console *c = consoles; c; c = c->next)
        c->write(c, buf, n);
}
