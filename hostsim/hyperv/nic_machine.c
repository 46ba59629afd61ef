/* The Hyper-V machine's synthetic NIC on a TAP device: see nic_machine.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hostsim/hyperv/nic_machine.h"
#include "hostsim/log.h"
#include "hostsim/virtio/net.h"
#include "hostsim/virtio/tap.h"

/* Hyper-V's own OUI 00:15:5D (its dynamic MAC range) for a NIC given none. */
static const uint8_t default_mac[6] = {0x00, 0x15, 0x5d, 0x00, 0x00, 0x01};

int hvm_nic_parse_link(const char *arg, struct hvm_nic_link_event *ev, unsigned *n, char *err,
                       size_t errlen)
{
    *n = 0;
    const char *p = arg;
    while (*p != '\0') {
        bool up = strncmp(p, "up@", 3) == 0, down = strncmp(p, "down@", 5) == 0;
        char *end;
        const char *num = p + (up ? 3 : 5);
        unsigned long secs = up || down ? strtoul(num, &end, 10) : 0;
        if ((!up && !down) || *num < '0' || *num > '9' || (*end != ',' && *end != '\0') ||
            secs > 86400 || *n == HVM_NIC_LINK_EVENTS || (*n > 0 && secs < ev[*n - 1].seconds)) {
            snprintf(err, errlen,
                     "--netvsc-link: '%s' is not up to %d of STATE@SECONDS (STATE down or up, "
                     "SECONDS 0-86400, in order), e.g. down@3,up@5",
                     arg, HVM_NIC_LINK_EVENTS);
            return -1;
        }
        ev[(*n)++] = (struct hvm_nic_link_event){up, (unsigned)secs};
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

/* Finishes a checksum the guest left to the host, as a NIC would before
 * the frame leaves: the field at start + off holds the pseudo-header's sum
 * (netvsp.h); the one's complement of the sum over [start, len) goes
 * there (RFC 1071). */
static void finish_checksum(uint8_t *f, size_t len, uint16_t start, uint16_t off)
{
    uint32_t sum = 0;
    for (size_t i = start; i < len; i += 2)
        sum += (uint32_t)f[i] << 8 | (i + 1 < len ? f[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    if (c == 0 && off == 6)
        c = 0xFFFF; /* UDP sends a computed 0 as all ones (RFC 768) */
    f[start + off] = (uint8_t)(c >> 8);
    f[start + off + 1] = (uint8_t)c;
}

/* A frame the guest sent: to the TAP (with an empty virtio-net header),
 * its checksum finished first when the guest left it to the host. */
static void transmit(void *ctx, const uint8_t *frame, size_t len, uint16_t start, uint16_t off)
{
    struct hvm_nic *n = ctx;
    uint8_t hdr[VNET_HDR] = {0}, copy[HVM_NIC_FRAME_MAX];
    if (off != 0 && len <= sizeof copy) { /* netvsp checked start + off + 2 <= len */
        memcpy(copy, frame, len);
        finish_checksum(copy, len, start, off);
        frame = copy;
    }
    struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)(uintptr_t)frame, len}};
    ssize_t w;
    do {
        w = writev(n->tap_fd, iov, 2);
    } while (w < 0 && errno == EINTR);
    if (w != (ssize_t)(sizeof hdr + len) && n->tx_errors++ == 0)
        hs_log("warning: netvsc: %s refused a %zu-byte frame: %s (dropped; later ones are "
               "counted)",
               n->ifname, len, w < 0 ? strerror(errno) : "short write");
}

/* Gives the guest what waits, oldest first; keeps what it cannot take. */
static void deliver_pending(struct hvm_nic *n)
{
    if (n->pending == 0)
        return;
    struct netvsp_frame f[NETVSP_MAX_RANGES];
    for (unsigned i = 0; i < n->pending; i++)
        f[i] =
            (struct netvsp_frame){n->frame[i] + VNET_HDR, n->len[i] - VNET_HDR,
                                  netvsp_rx_checksum(n->frame[i] + VNET_HDR, n->len[i] - VNET_HDR)};
    unsigned taken = netvsp_deliver(&n->vsp, f, n->pending);
    if (taken == 0)
        return;
    for (unsigned i = taken; i < n->pending; i++) {
        memcpy(n->frame[i - taken], n->frame[i], n->len[i]);
        n->len[i - taken] = n->len[i];
    }
    n->pending -= taken;
}

static void rx_room(void *ctx)
{
    struct hvm_nic *n = ctx;
    deliver_pending(n);
    if (n->pending == 0)
        ioloop_wake(&n->vm->loop);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    hs_debug("%s", line);
}

static bool wants_frames(void *ctx)
{
    struct hvm_nic *n = ctx;
    return n->pending == 0 && netvsp_can_deliver(&n->vsp);
}

static void tap_readable(void *ctx, int fd, short revents)
{
    (void)revents;
    struct hvm_nic *n = ctx;
    while (n->pending < NETVSP_MAX_RANGES) {
        ssize_t r = read(fd, n->frame[n->pending], HVM_NIC_FRAME_MAX);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= VNET_HDR) {
            if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                hs_debug("netvsc: read from %s: %s", n->ifname, strerror(errno));
            break;
        }
        if (r == HVM_NIC_FRAME_MAX) { /* longer than any frame of the MTU: cut */
            n->rx_oversize++;
            continue;
        }
        n->len[n->pending++] = (size_t)r;
    }
    deliver_pending(n);
}

static void on_tick(void *ctx, int fd, short revents)
{
    (void)revents;
    struct hvm_nic *n = ctx;
    uint64_t ticks;
    if (read(fd, &ticks, sizeof ticks) != sizeof ticks)
        return;
    n->ticks += ticks;
    while (n->next_link < n->nlink && n->link[n->next_link].seconds <= n->ticks) {
        bool up = n->link[n->next_link++].up;
        netvsp_set_link(&n->vsp, up);
        hs_log("netvsc: link %s, as --netvsc-link asked", up ? "up" : "down");
    }
}

int hvm_nic_attach(struct hvm_nic *n, struct hvm_vmbus *b, struct hostsim_vm *vm,
                   const struct hostsim_nic *nic, const struct hvm_nic_link_event *link,
                   unsigned nlink)
{
    memset(n, 0, sizeof *n);
    n->vm = vm;
    n->timer_fd = -1;
    char err[256];
    n->tap_fd = tap_open(nic->tap, err, sizeof err);
    if (n->tap_fd < 0) {
        hs_log("%s", err);
        return -1;
    }
    snprintf(n->ifname, sizeof n->ifname, "%s", nic->tap);
    struct netvsp_hooks hooks = {
        .transmit = transmit, .rx_room = rx_room, .log = log_line, .ctx = n};
    netvsp_init(&n->vsp, nic->has_mac ? nic->mac : default_mac, &hooks);
    memcpy(n->link, link, nlink * sizeof *link);
    n->nlink = nlink;
    if (hvm_vmbus_add_service(b, &n->vsp.service) == NULL)
        return -1;
    const uint8_t *m = n->vsp.mac;
    hs_debug("netvsc: TAP %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", n->ifname, m[0], m[1], m[2], m[3],
             m[4], m[5]);
    return 0;
}

int hvm_nic_start(struct hvm_nic *n)
{
    if (ioloop_add_when(&n->vm->loop, n->tap_fd, tap_readable, wants_frames, n) != 0)
        return -1;
    if (n->nlink == 0)
        return 0;
    n->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    struct itimerspec t = {.it_interval = {1, 0}, .it_value = {1, 0}};
    if (n->timer_fd < 0 || timerfd_settime(n->timer_fd, 0, &t, NULL) != 0 ||
        ioloop_add(&n->vm->loop, n->timer_fd, on_tick, n) != 0) {
        hs_log("netvsc: cannot start the link timer: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void hvm_nic_stop(struct hvm_nic *n)
{
    if (n->vm == NULL)
        return;
    hs_debug("netvsc: %llu frames to the guest, %llu dropped, %llu from it, %llu TAP write "
             "errors",
             (unsigned long long)n->vsp.rx_frames, (unsigned long long)n->vsp.rx_dropped,
             (unsigned long long)n->vsp.tx_frames, (unsigned long long)n->tx_errors);
    if (n->timer_fd >= 0)
        close(n->timer_fd);
    if (n->tap_fd >= 0)
        close(n->tap_fd);
    n->timer_fd = n->tap_fd = -1;
}
