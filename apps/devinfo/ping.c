/* The ping action: every network device answers ARP, ICMP echo and UDP echo
 * (port 7) for one IPv4 address through ping_responder.c, until the wanted
 * numbers of echo requests and UDP datagrams were answered or the time is
 * up. Replies leave the checksum to the device when it offers checksum
 * offload, so that path is exercised too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anyvm/wait.h>

#include "devinfo.h"
#include "ping_responder.h"

#define MAX_NETDEVS 8
/* Keep answering a little after the goal: the last replies must leave
 * before the VM ends. */
#define LINGER_NS 500000000ull

struct responder {
    struct anyvm_net *nd;
    struct anyvm_net_info info;
    struct ping_responder pr;
    uint8_t *out; /* room for one reply frame: MTU + Ethernet header */
    size_t out_size;
    uint64_t tx_failed;
};

static struct responder responders[MAX_NETDEVS];
static unsigned nresponders;
static unsigned want_icmp, want_udp;

/* Runs from the kernel's loop while devinfo waits. */
static void on_frame(void *ctx, const void *frame, size_t len)
{
    struct responder *r = ctx;
    struct ping_reply reply;
    if (ping_responder_handle(&r->pr, frame, len, r->out, r->out_size, &reply) != PING_REPLY)
        return;
    int rc = reply.csum_partial ? anyvm_net_send_csum(r->nd, r->out, reply.len, reply.csum_start,
                                                      reply.csum_offset)
                                : anyvm_net_send(r->nd, r->out, reply.len);
    if (rc != 0)
        r->tx_failed++;
}

static uint64_t answered(bool udp)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nresponders; i++)
        n += udp ? responders[i].pr.count.udp_replies : responders[i].pr.count.echo_replies;
    return n;
}

static bool goal_reached(void *ctx)
{
    (void)ctx;
    return answered(false) >= want_icmp && answered(true) >= want_udp;
}

static void print_counts(struct responder *r)
{
    const struct ping_counters *c = &r->pr.count;
    const char *name = r->info.name;
    printf("devinfo: ping %s: %lu echo, %lu udp, %lu arp replies; %lu frames seen, %lu "
           "ignored, %lu malformed, %lu fragments, %lu transmit failures\n",
           name, (unsigned long)c->echo_replies, (unsigned long)c->udp_replies,
           (unsigned long)c->arp_replies, (unsigned long)c->frames, (unsigned long)c->ignored,
           (unsigned long)c->malformed, (unsigned long)c->unsupported, (unsigned long)r->tx_failed);
    if (c->malformed)
        printf("devinfo: ping %s: last malformed frame: %s\n", name, r->pr.last_error);
    struct anyvm_net_stats s;
    if (anyvm_net_stats(r->nd, &s) != 0) {
        printf("devinfo: %s stats: none (%d)\n", name, -errno);
        return;
    }
    printf("devinfo: %s stats: rx %lu packets %lu bytes, %lu dropped, %lu errors; tx %lu "
           "packets %lu bytes, %lu dropped, %lu errors; rx checksums completed %lu, tx "
           "checksums offloaded %lu\n",
           name, (unsigned long)s.rx_packets, (unsigned long)s.rx_bytes,
           (unsigned long)s.rx_dropped, (unsigned long)s.rx_errors, (unsigned long)s.tx_packets,
           (unsigned long)s.tx_bytes, (unsigned long)s.tx_dropped, (unsigned long)s.tx_errors,
           (unsigned long)s.rx_csum_completed, (unsigned long)s.tx_csum_offloaded);
}

int devinfo_ping(const uint8_t ip[4], unsigned icmp, unsigned udp, unsigned timeout_s)
{
    want_icmp = icmp;
    want_udp = udp;
    nresponders = 0;
    for (struct anyvm_net *nd = anyvm_net_next(NULL); nd && nresponders < MAX_NETDEVS;
         nd = anyvm_net_next(nd)) {
        struct responder *r = &responders[nresponders];
        memset(r, 0, sizeof *r);
        if (anyvm_net_info(nd, &r->info) != 0)
            continue;
        r->out_size = (size_t)r->info.mtu + ETH_HLEN + 4;
        r->out = malloc(r->out_size < ETH_ZLEN ? ETH_ZLEN : r->out_size);
        if (r->out == NULL) {
            printf("devinfo: FAIL ping: no memory\n");
            return -1;
        }
        nresponders++;
        r->nd = nd;
        ping_responder_init(&r->pr, r->info.mac, ip);
        r->pr.udp_echo = true;
        r->pr.tx_csum_offload = r->info.tx_csum_offload;
        anyvm_net_set_receiver(nd, on_frame, r);
    }
    if (nresponders == 0) {
        printf("devinfo: FAIL ping: no network device\n");
        return -1;
    }
    printf("devinfo: ping: answering as %u.%u.%u.%u on %u device%s for up to %u s "
           "(want %u echo, %u udp)\n",
           ip[0], ip[1], ip[2], ip[3], nresponders, nresponders == 1 ? "" : "s", timeout_s, icmp,
           udp);
    uint64_t start = anyvm_now_ns();
    bool ok = anyvm_wait_until(goal_reached, NULL, start + (uint64_t)timeout_s * 1000000000ull);
    uint64_t elapsed_ms = (anyvm_now_ns() - start) / 1000000;
    if (ok)
        anyvm_wait_until(NULL, NULL, anyvm_now_ns() + LINGER_NS);
    for (unsigned i = 0; i < nresponders; i++) {
        struct responder *r = &responders[i];
        anyvm_net_set_receiver(r->nd, NULL, NULL);
        free(r->out);
        r->out = NULL;
        print_counts(r);
    }
    uint64_t got_icmp = answered(false), got_udp = answered(true);
    if (!ok) {
        printf("devinfo: FAIL ping: answered %lu of %u echo requests and %lu of %u udp "
               "datagrams in %lu ms\n",
               (unsigned long)got_icmp, icmp, (unsigned long)got_udp, udp,
               (unsigned long)elapsed_ms);
        return -1;
    }
    printf("devinfo: PASS ping: answered %lu echo requests and %lu udp datagrams in %lu ms\n",
           (unsigned long)got_icmp, (unsigned long)got_udp, (unsigned long)elapsed_ms);
    return 0;
}
