/* The interfaces' addresses as one line (net/stack/addr_list.h). */
#include "net/stack/addr_list.h"

#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"

static bool append(char *out, size_t len, size_t *at, const char *text)
{
    size_t n = strlen(text), sep = *at ? 1 : 0;
    if (*at + sep + n + 1 > len)
        return false;
    if (sep)
        out[(*at)++] = ';';
    memcpy(out + *at, text, n + 1);
    *at += n;
    return true;
}

unsigned net_address_list(bool ipv6, char *out, size_t len)
{
    size_t at = 0;
    unsigned count = 0;
    struct netif *nif;
    if (len == 0)
        return 0;
    out[0] = '\0';
    NETIF_FOREACH(nif)
    {
        if (nif->state == NULL) /* the loopback interface has no netdev */
            continue;
        char text[46];
        if (!ipv6) {
            if (ip4_addr_isany_val(*netif_ip4_addr(nif)))
                continue;
            ip4addr_ntoa_r(netif_ip4_addr(nif), text, sizeof text);
            count += append(out, len, &at, text);
            continue;
        }
        for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
            if (!ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
                continue;
            ip6addr_ntoa_r(netif_ip6_addr(nif, i), text, sizeof text);
            for (char *c = text; *c; c++) /* lowercase (RFC 5952 section 4.3) */
                if (*c >= 'A' && *c <= 'F')
                    *c = (char)(*c - 'A' + 'a');
            count += append(out, len, &at, text);
        }
    }
    return count;
}
