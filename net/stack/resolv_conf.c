/* The resolver's files (net/stack/resolv_conf.h). */
#include "net/stack/resolv_conf.h"

#include <stdbool.h>
#include <string.h>

#include "core/log.h"
#include "klib/format.h"
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"

static char resolv[DNS_MAX_SERVERS * 60 + 64];
static const char hosts[] = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";

void resolv_conf_update(void)
{
    static bool said;
    size_t at = (size_t)ksnprintf(resolv, sizeof resolv, "# written by anyvm from %s\n",
                                  "net.dns= or DHCP");
    for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
        const ip_addr_t *a = dns_getserver(i);
        if (ip_addr_isany(a))
            continue;
        char text[46];
        ipaddr_ntoa_r(a, text, sizeof text);
        at += (size_t)ksnprintf(resolv + at, sizeof resolv - at, "nameserver %s\n", text);
    }
    long r1 = sys_files_generate("etc/resolv.conf", resolv, (uint32_t)strlen(resolv));
    long r2 = sys_files_generate("etc/hosts", hosts, sizeof hosts - 1);
    if (said)
        return;
    /* -ENOSYS: the app names no file, so it resolves no name either. */
    if (r1 == -LINUX_EEXIST || r2 == -LINUX_EEXIST) {
        kprintf("net: /etc/resolv.conf or /etc/hosts left as the initrd has it (the file, or "
                "a file where /etc would be)\n");
        said = true;
    } else if (r1 == -LINUX_ENOMEM || r2 == -LINUX_ENOMEM) {
        kprintf("net: no memory for /etc/resolv.conf and /etc/hosts; names will not resolve\n");
        said = true;
    }
}
