/* Firecracker's virtio-mmio devices: see virtio_devices.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostsim/firecracker/virtio_devices.h"
#include "hostsim/log.h"
#include "hostsim/status.h"

/* QueueNotify (offset 0x50) is a 4-byte write of the queue index. */
static int kvm_ioeventfd(void *ctx, uint64_t addr, uint32_t datamatch, int fd, bool assign)
{
    struct fc_virtio *v = ctx;
    return cpu_kvm_ioeventfd(v->kvm, addr, 4, datamatch, fd, assign);
}

/* Firecracker's devices are edge-triggered (sheet section 7). */
static void kvm_irq(void *ctx, unsigned gsi)
{
    struct fc_virtio *v = ctx;
    cpu_kvm_irq_pulse(v->kvm, gsi);
}

/* The first violation wins: it is printed, the VM ends with
 * HOSTSIM_EXIT_VIRTIO. Called with the device lock held, from a vCPU thread
 * (register access) or the I/O thread (queue processing). */
static void fault(void *ctx, const char *msg)
{
    struct fc_virtio *v = ctx;
    if (__atomic_exchange_n(&v->faulted, 1, __ATOMIC_ACQ_REL))
        return;
    hs_log("%s", msg);
    vm_stop_request(&v->kvm->stop, HOSTSIM_EXIT_VIRTIO, "the guest broke a virtio rule");
    cpu_kvm_kick(v->kvm);
}

int fc_virtio_open(struct fc_virtio *v, const struct hostsim_options *o)
{
    char err[300];
    v->tap_fd = -1;
    /* Firecracker attaches the root device first, the others in order. */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < o->ndisks; i++) {
            const struct hostsim_disk *d = &o->disk[i];
            if ((pass == 0) != (d->root != 0))
                continue;
            if (vblk_open(&v->blk[v->nblk], d->path, d->read_only != 0, err, sizeof err) != 0) {
                hs_log("%s", err);
                return -1;
            }
            v->nblk++;
        }
    }
    /* MISBEHAVE: a fault on purpose on the first disk (--misbehave). */
    if (o->misbehave != HOSTSIM_MISBEHAVE_NONE && !HOSTSIM_MISBEHAVE_IS_NET(o->misbehave) &&
        v->nblk > 0) {
        static const enum vblk_misbehave map[] = {
            [HOSTSIM_MISBEHAVE_BLK_USED_ID] = VBLK_MISBEHAVE_USED_ID,
            [HOSTSIM_MISBEHAVE_BLK_USED_LEN] = VBLK_MISBEHAVE_USED_LEN,
            [HOSTSIM_MISBEHAVE_BLK_USED_IDX] = VBLK_MISBEHAVE_USED_IDX,
            [HOSTSIM_MISBEHAVE_BLK_STATUS] = VBLK_MISBEHAVE_STATUS,
        };
        v->blk[0].misbehave = map[o->misbehave];
        hs_log("misbehaving on purpose: %s", hostsim_misbehave_name(o->misbehave));
    }
    if (o->tap != NULL) {
        v->tap_fd = vio_tap_open(o->tap, err, sizeof err);
        if (v->tap_fd < 0) {
            hs_log("%s", err);
            return -1;
        }
        if (vnet_init(&v->net, v->tap_fd, o->tap, o->has_mac ? o->mac : NULL, (uint16_t)o->mtu) !=
            0) {
            hs_log("out of memory");
            return -1;
        }
        v->net.set_offload = vio_tap_set_offload;
        v->net.offload_ctx = (void *)(intptr_t)v->tap_fd;
        v->has_net = 1;
        /* MISBEHAVE: a fault on purpose on the network device (--misbehave net-*). */
        if (HOSTSIM_MISBEHAVE_IS_NET(o->misbehave)) {
            static const enum vnet_misbehave map[] = {
                [HOSTSIM_MISBEHAVE_NET_USED_LEN] = VNET_MISBEHAVE_USED_LEN,
                [HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS] = VNET_MISBEHAVE_NUM_BUFFERS,
                [HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS_ZERO] = VNET_MISBEHAVE_NUM_BUFFERS_ZERO,
                [HOSTSIM_MISBEHAVE_NET_USED_ID] = VNET_MISBEHAVE_USED_ID,
            };
            v->net.misbehave = map[o->misbehave];
            hs_log("misbehaving on purpose: %s", hostsim_misbehave_name(o->misbehave));
        }
    }
    return 0;
}

unsigned fc_virtio_count(const struct fc_virtio *v)
{
    return v->nblk + (v->has_net ? 1u : 0u);
}

int fc_virtio_root(const struct fc_virtio *v, const struct hostsim_options *o)
{
    (void)v;
    for (unsigned i = 0; i < o->ndisks; i++) {
        if (o->disk[i].root)
            return o->disk[i].read_only ? 2 : 1;
    }
    return 0;
}

int fc_virtio_attach(struct fc_virtio *v, struct cpu_kvm *k)
{
    v->kvm = k;
    struct vio_machine m = {.ioeventfd = kvm_ioeventfd, .irq = kvm_irq, .fault = fault, .ctx = v};
    if (fc_virtio_count(v) == 0)
        return 0;
    if (vio_init(&v->io, &k->dev_lock, &m) != 0)
        return -1;
    unsigned slot = 0;
    for (unsigned i = 0; i < v->nblk; i++, slot++) {
        struct fc_virtio_slot s = fc_virtio_slot(slot);
        vblk_attach(&v->blk[i], s.base, s.gsi, &k->mem, &v->io.host, &v->io);
        if (vio_add_blk(&v->io, &v->blk[i]) != 0 ||
            iobus_add(&k->mmio, s.base, FC_VIRTIO_MMIO_SIZE, v->blk[i].t.name, vmmio_read,
                      vmmio_write, &v->blk[i].t) != 0)
            return -1;
        hs_debug("%s: %s, %llu sectors%s, GSI %u", v->blk[i].t.name, v->blk[i].path,
                 (unsigned long long)v->blk[i].capacity, v->blk[i].read_only ? ", read-only" : "",
                 s.gsi);
    }
    if (v->has_net) {
        struct fc_virtio_slot s = fc_virtio_slot(slot);
        vnet_attach(&v->net, s.base, s.gsi, &k->mem, &v->io.host, &v->io);
        if (vio_add_net(&v->io, &v->net) != 0 ||
            iobus_add(&k->mmio, s.base, FC_VIRTIO_MMIO_SIZE, v->net.t.name, vmmio_read, vmmio_write,
                      &v->net.t) != 0)
            return -1;
        hs_debug("%s: TAP %s, GSI %u", v->net.t.name, v->net.ifname, s.gsi);
    }
    return 0;
}

int fc_virtio_start(struct fc_virtio *v)
{
    return fc_virtio_count(v) ? vio_start(&v->io) : 0;
}

void fc_virtio_stop(struct fc_virtio *v)
{
    if (fc_virtio_count(v) == 0)
        return;
    vio_stop(&v->io);
    for (unsigned i = 0; i < v->nblk; i++) {
        const struct vblk *b = &v->blk[i];
        hs_debug("%s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu flushes, %llu "
                 "GET_ID, %llu unsupported, %llu I/O errors",
                 b->t.name, (unsigned long long)b->reads, (unsigned long long)b->bytes_read,
                 (unsigned long long)b->writes, (unsigned long long)b->bytes_written,
                 (unsigned long long)b->flushes, (unsigned long long)b->get_ids,
                 (unsigned long long)b->unsupported, (unsigned long long)b->ioerrors);
        vblk_close(&v->blk[i]);
    }
    if (v->has_net) {
        const struct vnet *n = &v->net;
        hs_debug("%s: sent %llu frames (%llu bytes, %llu refused by the TAP), received %llu "
                 "frames (%llu bytes, %llu dropped)",
                 n->t.name, (unsigned long long)n->tx_frames, (unsigned long long)n->tx_bytes,
                 (unsigned long long)n->tx_errors, (unsigned long long)n->rx_frames,
                 (unsigned long long)n->rx_bytes, (unsigned long long)n->rx_dropped);
        vnet_free(&v->net);
        close(v->tap_fd);
    }
}
