/* api/net.c (anyvm/net.h) on the real network device class with a fake
 * driver, as in test_net_dev.c: handles and info, the errno values of
 * anyvm_net_send and anyvm_net_send_csum, the app's receiver and the
 * counters, and a device removed while the app holds a handle with a
 * receiver set (its memory is freed: AddressSanitizer would see any later
 * use). */
#include <errno.h>
#include <stdint.h>

#include <anyvm/devices.h>
#include <anyvm/net.h>

#include "core/device.h"
#include "dev/netdev.h"
#include "tests/unit/unit.h"

static unsigned transmits;
static int transmit_result;
static size_t last_len;
static struct netdev_tx_offload last_offload;

static int fake_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                         const struct netdev_tx_offload *offload)
{
    (void)nd;
    transmits++;
    last_len = 0;
    for (unsigned i = 0; i < n; i++)
        last_len += bufs[i].len;
    last_offload = offload ? *offload : (struct netdev_tx_offload){0};
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
    if (netdev_register(nd) != 0)
        abort();
    transmits = 0;
    transmit_result = 0;
    return nd;
}

static void remove_nic(struct netdev *nd)
{
    netdev_unregister(nd);
    free(nd);
}

static uint8_t frame[1514];

TEST(handles_and_info)
{
    struct netdev *a = new_nic(1, 0), *b = new_nic(2, NETDEV_FEATURE_TX_CSUM);
    struct anyvm_net *ha = anyvm_net_next(NULL), *hb = anyvm_net_next(ha);
    CHECK(ha != NULL && hb != NULL && ha != hb);
    CHECK(anyvm_net_next(hb) == NULL);
    CHECK(anyvm_net_open(a->name) == ha);
    CHECK(anyvm_net_open(b->name) == hb);

    static const struct bus toy = {.name = "toy"};
    struct device dev = {.name = "nic 1", .bus = &toy};
    b->dev = &dev;
    b->link_up = false;
    struct anyvm_net_info in;
    CHECK_EQ(anyvm_net_info(hb, &in), 0);
    CHECK_STR(in.name, b->name);
    CHECK_STR(in.driver, "fake");
    CHECK(in.mac[0] == 0x52 && in.mac[5] == 2);
    CHECK_EQ(in.mtu, 1500u);
    CHECK(!in.link_up && in.tx_csum_offload);
    CHECK_STR(in.device, "toy nic 1");
    CHECK_EQ(anyvm_net_info(ha, &in), 0);
    CHECK(in.link_up && !in.tx_csum_offload);
    CHECK_STR(in.device, "");

    errno = 0;
    CHECK(anyvm_net_open("eth0") == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(anyvm_net_info(NULL, &in), -1);
    CHECK_EQ(errno, EINVAL);
    remove_nic(a);
    remove_nic(b);
}

TEST(send_checks_the_frame_and_says_why_it_failed)
{
    struct netdev *nd = new_nic(3, 0);
    struct anyvm_net *n = anyvm_net_open(nd->name);
    CHECK_EQ(anyvm_net_send(n, frame, 60), 0);
    CHECK_EQ(transmits, 1u);
    CHECK_EQ(last_len, 60u);
    CHECK(!last_offload.csum);
    CHECK_EQ(anyvm_net_send(n, frame, 1514), 0); /* MTU + the Ethernet header */

    errno = 0;
    CHECK_EQ(anyvm_net_send(n, frame, 1515), -1);
    CHECK_EQ(errno, EMSGSIZE);
    errno = 0;
    CHECK_EQ(anyvm_net_send(n, frame, 13), -1);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(anyvm_net_send(n, NULL, 60), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(transmits, 2u); /* none of these reached the driver */

    transmit_result = -1; /* the queue is full */
    errno = 0;
    CHECK_EQ(anyvm_net_send(n, frame, 60), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(nd->stats.tx_dropped, 1u);
    static const struct bus toy = {.name = "toy"};
    struct device dev = {.name = "nic", .bus = &toy, .state = DEVICE_DISABLED};
    nd->dev = &dev; /* disabled after breaking its protocol */
    errno = 0;
    CHECK_EQ(anyvm_net_send(n, frame, 60), -1);
    CHECK_EQ(errno, EIO);

    /* No checksum offload on this device. */
    errno = 0;
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 34, 6), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    remove_nic(nd);
}

TEST(send_csum_hands_the_field_to_the_device)
{
    struct netdev *nd = new_nic(4, NETDEV_FEATURE_TX_CSUM);
    struct anyvm_net *n = anyvm_net_open(nd->name);
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 34, 6), 0); /* UDP: checksum at 34 + 6 */
    CHECK(last_offload.csum);
    CHECK_EQ(last_offload.csum_start, 34);
    CHECK_EQ(last_offload.csum_offset, 6);
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 34, 24), 0); /* the last two bytes */
    errno = 0;
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 34, 25), -1); /* one byte past the end */
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 61, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, SIZE_MAX, 2), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(transmits, 2u);
    remove_nic(nd);
}

static unsigned received;
static size_t received_len;
static void *received_ctx;
static int remove_rc, remove_errno;

static void on_frame(void *ctx, const void *f, size_t len)
{
    (void)f;
    received++;
    received_len = len;
    received_ctx = ctx;
    /* A receive callback runs inside its driver: no removal from here. */
    errno = 0;
    remove_rc = anyvm_device_remove("toy nic");
    remove_errno = errno;
}

TEST(the_receiver_gets_frames_until_stopped)
{
    struct netdev *nd = new_nic(5, 0);
    struct anyvm_net *n = anyvm_net_open(nd->name);
    netdev_deliver(nd, frame, 60); /* nobody listens yet */
    int token;
    CHECK_EQ(anyvm_net_set_receiver(n, on_frame, &token), 0);
    received = 0;
    netdev_deliver(nd, frame, 99);
    CHECK_EQ(received, 1u);
    CHECK_EQ(received_len, 99u);
    CHECK(received_ctx == &token);
    CHECK_EQ(remove_rc, -1);
    CHECK_EQ(remove_errno, EBUSY);
    CHECK_EQ(anyvm_net_set_receiver(n, NULL, NULL), 0);
    netdev_deliver(nd, frame, 60);
    CHECK_EQ(received, 1u);

    CHECK_EQ(anyvm_net_send(n, frame, 60), 0);
    nd->stats.rx_csum_completed = 7;
    nd->stats.tx_csum_offloaded = 8;
    struct anyvm_net_stats s;
    CHECK_EQ(anyvm_net_stats(n, &s), 0);
    CHECK_EQ(s.rx_packets, 1u);
    CHECK_EQ(s.rx_bytes, 99u);
    CHECK_EQ(s.rx_dropped, 2u);
    CHECK_EQ(s.tx_packets, 1u);
    CHECK_EQ(s.tx_bytes, 60u);
    CHECK_EQ(s.rx_csum_completed, 7u);
    CHECK_EQ(s.tx_csum_offloaded, 8u);
    CHECK_EQ(anyvm_net_stats(n, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    remove_nic(nd);
}

TEST(a_removed_device_answers_ENODEV)
{
    struct netdev *nd = new_nic(6, NETDEV_FEATURE_TX_CSUM);
    char name[16];
    snprintf(name, sizeof name, "%s", nd->name);
    struct anyvm_net *n = anyvm_net_open(name);
    int token;
    CHECK_EQ(anyvm_net_set_receiver(n, on_frame, &token), 0);
    remove_nic(nd); /* the class forgets it, its memory is freed */

    struct anyvm_net_info in;
    struct anyvm_net_stats s;
    errno = 0;
    CHECK_EQ(anyvm_net_info(n, &in), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_net_send(n, frame, 60), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_net_send_csum(n, frame, 60, 34, 6), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_net_set_receiver(n, NULL, NULL), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_net_stats(n, &s), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK(anyvm_net_next(n) == NULL);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK(anyvm_net_open(name) == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(transmits, 0u);
}

UNIT_MAIN()
