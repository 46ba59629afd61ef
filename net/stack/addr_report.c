/* Address lines in the boot log (net/stack/addr_report.h). */
#include "net/stack/addr_report.h"

#include "core/log.h"
#include "dev/netdev.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/prot/dhcp.h"
#include "net/stack/netif_netdev.h"
#include "net/stack/resolv_conf.h"

static const char *if_name(struct netif *netif)
{
    struct stack_if *sif = netif->state; /* NULL for the loopback interface */
    return sif ? sif->nd->name : "lo";
}

static unsigned prefix_len(const ip4_addr_t *mask)
{
    uint32_t m = lwip_ntohl(ip4_addr_get_u32(mask));
    unsigned n = 0;
    while (n < 32 && (m & 0x80000000u >> n))
        n++;
    return n;
}

static void report_ip4(struct netif *netif)
{
    if (ip4_addr_isany_val(*netif_ip4_addr(netif)))
        return; /* a DHCP lease lost or not yet won: nothing to show */
    char a[16], g[16], d[46] = "";
    ip4addr_ntoa_r(netif_ip4_addr(netif), a, sizeof a);
    ip4addr_ntoa_r(netif_ip4_gw(netif), g, sizeof g);
    const ip_addr_t *dns = dns_getserver(0);
    if (!ip_addr_isany(dns))
        ipaddr_ntoa_r(dns, d, sizeof d);
    kprintf("%s: %s/%u gw %s%s%s (%s)\n", if_name(netif), a, prefix_len(netif_ip4_netmask(netif)),
            g, d[0] ? " dns " : "", d, dhcp_supplied_address(netif) ? "DHCP" : "static");
}

static void report_ip6(struct netif *netif, s8_t idx)
{
    const ip6_addr_t *a = netif_ip6_addr(netif, idx);
    char text[46];
    ip6addr_ntoa_r(a, text, sizeof text);
    for (char *c = text; *c; c++) /* lowercase, as RFC 5952 section 4.3 recommends */
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    const char *kind = ip6_addr_islinklocal(a) ? "IPv6 link-local"
                       : netif_ip6_addr_valid_life(netif, idx) != IP6_ADDR_LIFE_STATIC
                           ? "IPv6 SLAAC"
                           : "IPv6 static";
    kprintf("%s: %s (%s)\n", if_name(netif), text, kind);
}

static void changed(struct netif *netif, netif_nsc_reason_t reason,
                    const netif_ext_callback_args_t *args)
{
    if (netif->name[0] == 'l' && netif->name[1] == 'o')
        return;
    if (reason & (LWIP_NSC_IPV4_SETTINGS_CHANGED | LWIP_NSC_IPV4_ADDRESS_CHANGED)) {
        report_ip4(netif);
        resolv_conf_update(); /* DHCP may have brought DNS servers */
    }
    if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) {
        s8_t idx = args->ipv6_addr_state_changed.addr_index;
        bool now = ip6_addr_isvalid(netif_ip6_addr_state(netif, idx));
        bool before = ip6_addr_isvalid(args->ipv6_addr_state_changed.old_state);
        if (now && !before)
            report_ip6(netif, idx);
    }
}

NETIF_DECLARE_EXT_CALLBACK(callback)

void addr_report_start(void)
{
    netif_add_ext_callback(&callback, changed);
}
