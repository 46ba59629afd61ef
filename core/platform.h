/* The platform description: what the boot loader, the firmware's ACPI tables
 * and the command line said, filled once while the kernel starts (init/) and
 * read-only afterwards. Code asks through these functions instead of reading
 * globals; nothing here knows how the image was started. The hypervisor's
 * identity and capabilities are hv/'s (hv/hv.h), asked the same way. */
#ifndef CORE_PLATFORM_H
#define CORE_PLATFORM_H

#include <stdint.h>

#include "boot/bootinfo.h"
#include "core/acpi.h"
#include "core/cmdline.h"
#include "core/phys.h"

/* What the loader handed over: protocol, loader name, memory map, command
 * line text, initrd, framebuffer. */
const struct bootinfo *platform_boot(void);
/* The framebuffer the loader set up, checked (boot/framebuffer.c); NULL when
 * there is none (QEMU's -kernel, PVH, Firecracker). */
const struct framebuffer *platform_framebuffer(void);
/* The parsed command line; NULL before it is parsed. */
const struct cmdline *platform_cmdline(void);
/* The parsed ACPI tables; found == false on a machine without them (never
 * NULL). */
const struct acpi_info *platform_acpi(void);
/* Guest-physical memory as the kernel sees it (for parsers of firmware
 * tables: every access is bounded by it). */
const struct phys_window *platform_phys(void);
/* Bytes of RAM handed to the page allocator. */
uint64_t platform_usable_memory(void);
/* Processors: from the MADT, 1 without one. */
unsigned platform_cpu_count(void);

/* Filled by init/ while the kernel starts, in this order; each may be called
 * once, and none after platform_seal (a later call is a panic). */
void platform_set_boot(const struct bootinfo *bi);
void platform_set_memory(uint64_t usable_bytes);
/* The ACPI description, for init to parse the tables into. */
struct acpi_info *platform_acpi_fill(void);
void platform_set_cmdline(const struct cmdline *cl);
void platform_seal(void);

#endif
