/* What lwIP asks of its platform in NO_SYS mode (lwIP 2.1.3,
 * doc/doxygen/main_page.h "Porting"; include/lwip/sys.h, arch.h): the
 * time in milliseconds, diagnostics, assertions, random numbers, and the
 * checksum routine (net/lwip/include/arch/cc.h declares them). */
#include <stdarg.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/time.h"
#include "dev/random.h"
#include "lwip/arch.h"
#include "lwip/init.h"
#include "lwip/sys.h"
#include "net/inet_csum.h"

u32_t sys_now(void)
{
    return (u32_t)(time_now_ns() / 1000000u); /* wraps after 49 days: lwIP compares differences */
}

void lwip_port_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("lwip: ");
    kvprintf(fmt, ap);
    va_end(ap);
}

void lwip_port_assert(const char *file, int line)
{
    panic("lwip: assertion failed at %s:%d (lwIP " LWIP_VERSION_STRING ")", file, line);
}

uint32_t lwip_port_rand(void)
{
    return (uint32_t)random_u64();
}

/* lwIP wants the one's complement sum, folded, not complemented, in network
 * byte order as stored in memory (lwip_standard_chksum, core/inet_chksum.c). */
uint16_t lwip_port_chksum(const void *data, int len)
{
    uint16_t folded = (uint16_t)~inet_csum_fold(inet_csum_add(0, data, (size_t)len));
    return (uint16_t)(folded >> 8 | folded << 8); /* big-endian value, little-endian host */
}
