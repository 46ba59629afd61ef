/* core/console.h. */
#include "core/console.h"

#include <string.h>

static struct console *consoles;
static char early[CONSOLE_EARLY_BYTES];
static size_t early_len;
static uint64_t early_lost;

void console_register(struct console *c)
{
    struct console **p = &consoles;
    while (*p)
        p = &(*p)->next;
    c->next = NULL;
    *p = c;
    if (c == consoles && early_len) {
        c->write(c, early, early_len);
        early_len = 0;
    }
}

void console_write(const char *buf, size_t n)
{
    if (consoles == NULL) {
        size_t room = sizeof early - early_len;
        size_t k = n < room ? n : room;
        memcpy(early + early_len, buf, k);
        early_len += k;
        early_lost += n - k;
        return;
    }
    for (struct console *c = consoles; c; c = c->next)
        c->write(c, buf, n);
}

struct console *console_first(void)
{
    return consoles;
}

uint64_t console_early_lost(void)
{
    return early_lost;
}
