/* dev/netdev.c with a fake driver: names, delivery and its counters (a frame
 * nobody listens for is counted as dropped), transmit counters, and the
 * offload request refused when the device does not offer it. */
#include <stdint.h>

#include "dev/netdev.h"
#include "tests/unit/unit.h"

static unsigned transmits;
static int transmit_result;
static size_t last_len;
static bool last_offload;

static int fake_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                         const struct netdev_tx_offload *offload)
{
    (void)nd;
    transmits++;
    last_len = 0;
    for (unsigned i = 0; i < n; i++)
        last_len += bufs[i].len;
    last_offload = offload && offload->csum;
    return transmit_result;
}

static const struct netdev_ops fake_ops = {.transmit = fake_transmit};

static struct netdev *new_nic(uint8_t last, uint32_t features)
{
    struct netdev *nd = calloc(1, sizeof *nd);
    nd->driver = "fake";
    nd->mac[0] = 0x52;
    nd->mac[5] = last;
    nd->mtu = 1500;
    nd->link_up = true;
    nd->features = features;
    nd->ops = &fake_ops;
    return nd;
}

static unsigned received;
static size_t received_len;
static void *received_ctx;
static void on_rx(struct netdev *nd, const void *frame, size_t len, void *ctx)
{
    (void)nd;
    (void)frame;
    received++;
    received_len = len;
    received_ctx = ctx;
}

TEST(names_and_lookup)
{
    struct netdev *a = new_nic(1, 0), *b = new_nic(2, 0);
    CHECK_EQ(netdev_register(a), 0);
    CHECK_EQ(netdev_register(b), 0);
    CHECK_STR(a->name, "net0");
    CHECK_STR(b->name, "net1");
    CHECK(netdev_find("net1") == b);
    CHECK(netdev_find("eth0") == NULL);
    CHECK(netdev_first() == a && a->next == b);
    CHECK(LOG_CONTAINS("net1: fake, MAC 52:00:00:00:00:02, MTU 1500, link up"));
    struct netdev bad = {.driver = "x"};
    CHECK_EQ(netdev_register(&bad), -1);
}

TEST(delivery_counts_and_drops)
{
    struct netdev *nd = new_nic(3, 0);
    CHECK_EQ(netdev_register(nd), 0);
    uint8_t frame[60] = {0};
    netdev_deliver(nd, frame, sizeof frame);
    CHECK_EQ(nd->stats.rx_dropped, 1u);
    CHECK_EQ(nd->stats.rx_packets, 0u);
    int token;
    netdev_set_receiver(nd, on_rx, &token);
    received = 0;
    netdev_deliver(nd, frame, sizeof frame);
    CHECK_EQ(received, 1u);
    CHECK_EQ(received_len, 60u);
    CHECK(received_ctx == &token);
    CHECK_EQ(nd->stats.rx_packets, 1u);
    CHECK_EQ(nd->stats.rx_bytes, 60u);
    netdev_set_receiver(nd, NULL, NULL);
    netdev_deliver(nd, frame, sizeof frame);
    CHECK_EQ(received, 1u);
    CHECK_EQ(nd->stats.rx_dropped, 2u);
}

TEST(transmit_counts)
{
    struct netdev *nd = new_nic(4, NETDEV_FEATURE_TX_CSUM);
    CHECK_EQ(netdev_register(nd), 0);
    uint8_t hdr[14] = {0}, body[100] = {0};
    struct netdev_buf bufs[2] = {{hdr, sizeof hdr}, {body, sizeof body}};
    transmits = 0;
    transmit_result = 0;
    CHECK_EQ(netdev_transmit(nd, bufs, 2, NULL), 0);
    CHECK_EQ(last_len, 114u);
    CHECK_EQ(nd->stats.tx_packets, 1u);
    CHECK_EQ(nd->stats.tx_bytes, 114u);
    struct netdev_tx_offload off = {.csum = true, .csum_start = 34, .csum_offset = 6};
    CHECK_EQ(netdev_transmit(nd, bufs, 2, &off), 0);
    CHECK(last_offload);
    transmit_result = -1; /* the device's queue is full */
    CHECK_EQ(netdev_transmit(nd, bufs, 2, NULL), -1);
    CHECK_EQ(nd->stats.tx_dropped, 1u);
    CHECK_EQ(nd->stats.tx_packets, 2u);
    transmit_result = 0;
    CHECK_EQ(netdev_transmit(nd, bufs, 0, NULL), -1); /* nothing to send */
    CHECK_EQ(nd->stats.tx_errors, 1u);
    CHECK_EQ(transmits, 3u);
}

TEST(offload_needs_the_feature)
{
    struct netdev *nd = new_nic(5, 0);
    CHECK_EQ(netdev_register(nd), 0);
    uint8_t f[60] = {0};
    struct netdev_buf b = {f, sizeof f};
    struct netdev_tx_offload off = {.csum = true, .csum_start = 34, .csum_offset = 2};
    transmits = 0;
    CHECK_EQ(netdev_transmit(nd, &b, 1, &off), -1);
    CHECK_EQ(transmits, 0u);
    CHECK_EQ(nd->stats.tx_errors, 1u);
    off.csum = false; /* an offload structure asking for nothing is fine */
    CHECK_EQ(netdev_transmit(nd, &b, 1, &off), 0);
}

TEST(unregister_and_link_changes)
{
    struct netdev *a = new_nic(6, 0), *b = new_nic(7, 0);
    CHECK_EQ(netdev_register(a), 0);
    CHECK_EQ(netdev_register(b), 0);
    CHECK(netdev_find(a->name) == a);
    unit_log_clear();
    netdev_set_link(a, a->link_up); /* no change: no line */
    CHECK(!LOG_CONTAINS("link"));
    netdev_set_link(a, !a->link_up);
    CHECK(LOG_CONTAINS(a->link_up ? "link up" : "link down"));
    netdev_unregister(a);
    CHECK(LOG_CONTAINS("removed"));
    CHECK(netdev_find(a->name) == NULL);
    CHECK(netdev_find(b->name) == b);
    for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
        CHECK(nd != a);
    /* A new device gets a new name, never the removed one's. */
    struct netdev *c = new_nic(8, 0);
    CHECK_EQ(netdev_register(c), 0);
    CHECK(strcmp(c->name, a->name) != 0);
    free(a); /* the driver's memory, no longer the class's */
}

UNIT_MAIN()
