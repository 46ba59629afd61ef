/* The framebuffer console as a kernel console (core/console.h). */
#include <stdint.h>

#include "arch/x86_64/paging.h"
#include "core/log.h"
#include "drivers/fbcon/fbcon.h"

static struct fbcon fbcon;

static void fbcon_console_write(struct console *c, const char *buf, size_t n)
{
    fbcon_write_text((struct fbcon *)c, buf, n);
}

int fbcon_console_start(const struct framebuffer *fb)
{
    const char *why = "";
    /* Above 4 GiB it would need page tables from the page allocator, which
     * does not exist yet when the console starts. */
    if (fb->addr + (uint64_t)fb->pitch * fb->height > IDENTITY_MAPPED_LIMIT)
        why = "above 4 GiB";
    else if (fbcon_setup(&fbcon, (void *)(uintptr_t)fb->addr, fb, &why) == 0) {
        fbcon.console.name = "framebuffer";
        fbcon.console.write = fbcon_console_write;
        console_register(&fbcon.console);
        kprintf("console: framebuffer %ux%u, %ux%u characters\n", fb->width, fb->height, fbcon.cols,
                fbcon.rows);
        return 0;
    }
    kprintf("console: not on the framebuffer at %#llx: %s\n", (unsigned long long)fb->addr, why);
    return -1;
}
