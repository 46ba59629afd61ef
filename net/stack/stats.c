/* The net.stats line (net/stack/stats.h). */
#include "net/stack/stats.h"

#include "core/heap.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/param.h"
#include "core/time.h"
#include "dev/netdev.h"
#include "klib/format.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "net/stack/netif_netdev.h"

KERNEL_PARAM(p_stats, "net.stats", "print the network counters every SECONDS (net.stats=60)");

/* Appends " NAME recv/xmit" and each non-zero drop cause of one protocol. */
static size_t proto(char *buf, size_t at, size_t cap, const char *name, const struct stats_proto *s)
{
    if (s->recv == 0 && s->xmit == 0 && s->drop == 0)
        return at;
    at += (size_t)ksnprintf(buf + at, cap - at, " %s %u/%u", name, (unsigned)s->recv,
                            (unsigned)s->xmit);
    static const struct {
        const char *name;
        size_t offset;
    } causes[] = {
        {"drop", offsetof(struct stats_proto, drop)},
        {"chkerr", offsetof(struct stats_proto, chkerr)},
        {"lenerr", offsetof(struct stats_proto, lenerr)},
        {"memerr", offsetof(struct stats_proto, memerr)},
        {"rterr", offsetof(struct stats_proto, rterr)},
        {"proterr", offsetof(struct stats_proto, proterr)},
        {"opterr", offsetof(struct stats_proto, opterr)},
        {"err", offsetof(struct stats_proto, err)},
    };
    for (unsigned i = 0; i < sizeof causes / sizeof causes[0] && at < cap; i++) {
        STAT_COUNTER v = *(const STAT_COUNTER *)((const char *)s + causes[i].offset);
        if (v != 0)
            at += (size_t)ksnprintf(buf + at, cap - at, " %s=%u", causes[i].name, (unsigned)v);
    }
    return at < cap ? at : cap - 1;
}

static unsigned memp_failures(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MEMP_MAX; i++)
        n += (unsigned)lwip_stats.memp[i]->err;
    return n;
}

void stack_stats_print(const struct stack_if *ifs)
{
    char buf[768];
    size_t at = 0, cap = sizeof buf;
    buf[0] = '\0';
    at = proto(buf, at, cap, "link", &lwip_stats.link);
    at = proto(buf, at, cap, "arp", &lwip_stats.etharp);
    at = proto(buf, at, cap, "ip", &lwip_stats.ip);
    at = proto(buf, at, cap, "ipfrag", &lwip_stats.ip_frag);
    at = proto(buf, at, cap, "icmp", &lwip_stats.icmp);
    at = proto(buf, at, cap, "ip6", &lwip_stats.ip6);
    at = proto(buf, at, cap, "ip6frag", &lwip_stats.ip6_frag);
    at = proto(buf, at, cap, "icmp6", &lwip_stats.icmp6);
    at = proto(buf, at, cap, "nd6", &lwip_stats.nd6);
    at = proto(buf, at, cap, "udp", &lwip_stats.udp);
    at = proto(buf, at, cap, "tcp", &lwip_stats.tcp);
    kprintf("net.stats: recv/xmit%s\n", at ? buf : " nothing");
    /* What a leak would make grow (make soak watches these). */
    kprintf("net.stats: memory heap %zu bytes, tcp pcbs %u (%u listening), segments %u, udp pcbs "
            "%u, pbufs %u pool %u, allocation failures %u\n",
            kernel_heap.bytes_in_use, (unsigned)lwip_stats.memp[MEMP_TCP_PCB]->used,
            (unsigned)lwip_stats.memp[MEMP_TCP_PCB_LISTEN]->used,
            (unsigned)lwip_stats.memp[MEMP_TCP_SEG]->used,
            (unsigned)lwip_stats.memp[MEMP_UDP_PCB]->used,
            (unsigned)lwip_stats.memp[MEMP_PBUF]->used,
            (unsigned)lwip_stats.memp[MEMP_PBUF_POOL]->used, memp_failures());
    for (const struct stack_if *sif = ifs; sif; sif = sif->next) {
        const struct netdev_stats *d = &sif->nd->stats;
        kprintf("net.stats: %s rx %llu frames (%llu dropped, %llu errors, %lu no memory, %lu too "
                "long) tx %llu frames (%llu dropped, %llu errors, %lu refused, %llu checksums "
                "offloaded, %llu renotified)\n",
                sif->nd->name, (unsigned long long)d->rx_packets, (unsigned long long)d->rx_dropped,
                (unsigned long long)d->rx_errors, sif->rx_no_memory, sif->rx_too_long,
                (unsigned long long)d->tx_packets, (unsigned long long)d->tx_dropped,
                (unsigned long long)d->tx_errors, sif->tx_refused,
                (unsigned long long)d->tx_csum_offloaded, (unsigned long long)d->tx_renotified);
    }
}

static const struct stack_if *const *watched;
static uint64_t period_ns;

static void tick(struct timer *t)
{
    stack_stats_print(*watched);
    timer_arm(t, time_now_ns() + period_ns);
}

static struct timer periodic = {.fn = tick};

void stack_stats_start(const struct stack_if *const *ifs)
{
    uint64_t s = param_uint(&p_stats, 0, 1, 86400);
    if (s == 0)
        return;
    watched = ifs;
    period_ns = s * 1000000000ull;
    timer_arm(&periodic, time_now_ns() + period_ns);
}
