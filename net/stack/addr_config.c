/* Interface addresses from the command line or DHCP (net/stack/addr_config.h). */
#include "net/stack/addr_config.h"

#include <string.h>

#include "core/log.h"
#include "core/param.h"
#include "dev/netdev.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/netif.h"
#include "net/stack/addr_parse.h"
#include "net/stack/netif_netdev.h"

KERNEL_PARAM(p_dns, "net.dns", "DNS servers, comma-separated IPv4 or IPv6 (net.dns=10.0.2.3)");

/* The parameters of one interface. */
struct if_params {
    const struct kernel_param *ip, *gw, *ip6;
};

#define IF_PARAMS(ident, prefix, which)                                                            \
    KERNEL_PARAM(ident##_ip, prefix ".ip", "IPv4 address/prefix of " which " (else DHCP)");        \
    KERNEL_PARAM(ident##_gw, prefix ".gw", "IPv4 default gateway via " which);                     \
    KERNEL_PARAM(ident##_ip6, prefix ".ip6", "static IPv6 address/64 of " which " (besides SLAAC)")
IF_PARAMS(p_net0, "net", "net0");
IF_PARAMS(p_net1, "net1", "net1");
IF_PARAMS(p_net2, "net2", "net2");
IF_PARAMS(p_net3, "net3", "net3");

static const struct if_params params[] = {
    {&p_net0_ip, &p_net0_gw, &p_net0_ip6},
    {&p_net1_ip, &p_net1_gw, &p_net1_ip6},
    {&p_net2_ip, &p_net2_gw, &p_net2_ip6},
    {&p_net3_ip, &p_net3_gw, &p_net3_ip6},
};

void addr_config_dns(void)
{
    const char *v = param_value(&p_dns);
    if (v == NULL)
        return;
    unsigned n = 0;
    while (*v != '\0') {
        const char *comma = strchr(v, ',');
        size_t len = comma ? (size_t)(comma - v) : strlen(v);
        char one[46];
        ip_addr_t a;
        uint8_t b[16];
        bool ok = len > 0 && len < sizeof one;
        if (ok) {
            memcpy(one, v, len);
            one[len] = '\0';
            if (addr_parse_ip4(one, b)) {
                IP_ADDR4(&a, b[0], b[1], b[2], b[3]);
            } else if (addr_parse_ip6(one, b)) {
                ip_addr_set_zero_ip6(&a);
                memcpy(ip_2_ip6(&a)->addr, b, 16);
            } else {
                ok = false;
            }
        }
        if (!ok) {
            kprintf("net: net.dns: \"%.*s\" is not an IP address; ignored\n", (int)len, v);
        } else if (n >= DNS_MAX_SERVERS) {
            kprintf("net: net.dns: more than %d servers; \"%s\" ignored\n", DNS_MAX_SERVERS, one);
        } else {
            dns_setserver((u8_t)n++, &a);
        }
        v += len + (comma != NULL);
    }
}

/* net.ip / net.gw, or DHCP. */
static void configure_ip4(struct stack_if *sif, const struct if_params *ps)
{
    struct netif *netif = &sif->netif;
    const char *ip = ps ? param_value(ps->ip) : NULL;
    const char *gw = ps ? param_value(ps->gw) : NULL;
    if (ip != NULL) {
        uint8_t a[4], g[4] = {0};
        unsigned prefix;
        if (!addr_parse_ip4_prefix(ip, a, &prefix, 24)) {
            kprintf("%s: %s=%s is not ADDRESS/PREFIX (10.0.2.15/24); using DHCP\n", sif->nd->name,
                    ps->ip->name, ip);
        } else if (gw != NULL && !addr_parse_ip4(gw, g)) {
            kprintf("%s: %s=%s is not an IPv4 address; using DHCP\n", sif->nd->name, ps->gw->name,
                    gw);
        } else {
            ip4_addr_t addr, mask, gwa;
            IP4_ADDR(&addr, a[0], a[1], a[2], a[3]);
            IP4_ADDR(&gwa, g[0], g[1], g[2], g[3]);
            ip4_addr_set_u32(&mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
            netif_set_addr(netif, &addr, &mask, &gwa);
            return;
        }
    } else if (gw != NULL) {
        kprintf("%s: %s without %s; using DHCP\n", sif->nd->name, ps->gw->name, ps->ip->name);
    }
    err_t e = dhcp_start(netif);
    if (e != ERR_OK)
        kprintf("%s: DHCP could not start (lwIP error %d)\n", sif->nd->name, (int)e);
}

static void configure_ip6(struct stack_if *sif, const struct if_params *ps)
{
    const char *ip6 = ps ? param_value(ps->ip6) : NULL;
    if (ip6 == NULL)
        return;
    uint8_t a[16];
    unsigned prefix;
    if (!addr_parse_ip6_prefix(ip6, a, &prefix, 64) || prefix != 64) {
        /* lwIP 2.1 takes an address's first 64 bits as its on-link prefix. */
        kprintf("%s: %s=%s is not an IPv6 ADDRESS/64; ignored\n", sif->nd->name, ps->ip6->name,
                ip6);
        return;
    }
    ip6_addr_t addr;
    memcpy(addr.addr, a, 16);
    ip6_addr_assign_zone(&addr, IP6_UNICAST, &sif->netif);
    s8_t idx;
    if (netif_add_ip6_address(&sif->netif, &addr, &idx) != ERR_OK) {
        kprintf("%s: no free IPv6 address slot for %s; ignored\n", sif->nd->name, ip6);
        return;
    }
    netif_ip6_addr_set_state(&sif->netif, idx, IP6_ADDR_TENTATIVE); /* duplicate detection first */
}

void addr_config_apply(struct stack_if *sif)
{
    unsigned index = sif->netif.num; /* registration order: net0 is the first */
    const struct if_params *ps = NULL;
    if (strncmp(sif->nd->name, "net", 3) == 0) {
        const char *d = sif->nd->name + 3;
        index = 0;
        while (*d >= '0' && *d <= '9' && index < 100)
            index = index * 10 + (unsigned)(*d++ - '0');
        if (index < sizeof params / sizeof params[0])
            ps = &params[index];
    }
    /* lwIP sends IPv4 beyond every interface's subnet (through a gateway)
     * only through the default interface (lwIP 2.1.3 ip4_route), which
     * nothing sets by default: the first interface is it (Azure's
     * WireServer, 168.63.129.16, is such an address). */
    if (netif_default == NULL)
        netif_set_default(&sif->netif);
    netif_set_up(&sif->netif);
    configure_ip6(sif, ps);
    configure_ip4(sif, ps);
}

void addr_config_release(struct stack_if *sif)
{
    dhcp_release_and_stop(&sif->netif);
    dhcp_cleanup(&sif->netif);
}
