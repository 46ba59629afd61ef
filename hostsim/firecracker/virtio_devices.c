/* Firecracker's virtio-mmio devices: see virtio_devices.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostsim/firecracker/virtio_devices.h"
#include "hostsim/log.h"
#include "hostsim/status.h"
#include "hostsim/virtio/tap.h"

#define FC_NET_RX_BUDGET 64 /* frames per wake-up, so one busy TAP cannot starve the rest */

/* QueueNotify (offset 0x50) is a 4-byte write of the queue index. */
static int kvm_ioeventfd(void *ctx, uint64_t addr, uint32_t datamatch, int fd, bool assign)
{
    struct fc_virtio *v = ctx;
    return cpu_kvm_ioeventfd(&v->vm->kvm, addr, 4, datamatch, fd, assign);
}

/* Firecracker's devices are edge-triggered: one KVM_IRQFD each
 * (device_manager/mmio.rs; the DSDT says Edge). */
static void kvm_irq(void *ctx, unsigned gsi)
{
    struct fc_virtio *v = ctx;
    cpu_kvm_irq_pulse(&v->vm->kvm, gsi);
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
    vm_stop_request(&v->vm->kvm.stop, HOSTSIM_EXIT_VIRTIO, "the guest broke a virtio rule");
    cpu_kvm_kick(&v->vm->kvm);
}

int fc_virtio_open(struct fc_virtio *v, const struct hostsim_options *o)
{
    char err[300];
    v->tap_fd = -1;
    /* Firecracker attaches the root device first, the others in order. */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < o->ndisks; i++) {
            const struct hostsim_disk *d = &o->disk[i];
            if ((pass == 0) != d->root)
                continue;
            if (vblk_open(&v->blk[v->nblk], d->path, d->read_only, err, sizeof err) != 0) {
                hs_log("%s", err);
                return -1;
            }
            v->nblk++;
        }
    }
    /* MISBEHAVE: a fault on purpose on the first disk (--misbehave blk-*). */
    const struct hostsim_misbehave *mb = o->misbehave;
    if (mb != NULL && strcmp(mb->backend, "virtio-blk") == 0 && v->nblk > 0) {
        v->blk[0].misbehave = (enum vblk_misbehave)mb->code;
        hs_log("misbehaving on purpose: %s", mb->name);
    }
    if (o->nnics > 0) {
        const struct hostsim_nic *nic = &o->nic[0];
        v->tap_fd = tap_open(nic->tap, err, sizeof err);
        if (v->tap_fd < 0) {
            hs_log("%s", err);
            return -1;
        }
        if (vnet_init(&v->net, v->tap_fd, nic->tap, nic->has_mac ? nic->mac : NULL,
                      (uint16_t)nic->mtu) != 0) {
            hs_log("out of memory");
            return -1;
        }
        v->net.set_offload = tap_set_offload;
        v->net.offload_ctx = (void *)(intptr_t)v->tap_fd;
        v->has_net = 1;
        /* MISBEHAVE: a fault on purpose on the network device (--misbehave net-*). */
        if (mb != NULL && strcmp(mb->backend, "virtio-net") == 0) {
            v->net.misbehave = (enum vnet_misbehave)mb->code;
            hs_log("misbehaving on purpose: %s", mb->name);
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

/* The TAP is watched while the guest can take frames (vnet_wants_frames). */
static bool net_wants_frames(void *ctx)
{
    return vnet_wants_frames(ctx);
}

static void net_readable(void *ctx, int fd, short revents)
{
    (void)fd;
    (void)revents;
    vnet_receive(ctx, FC_NET_RX_BUDGET);
}

int fc_virtio_attach(struct fc_virtio *v, struct hostsim_vm *vm)
{
    v->vm = vm;
    struct cpu_kvm *k = &vm->kvm;
    struct vio_machine m = {.ioeventfd = kvm_ioeventfd, .irq = kvm_irq, .fault = fault, .ctx = v};
    vio_init(&v->io, &vm->loop, &m);
    unsigned slot = 0;
    for (unsigned i = 0; i < v->nblk; i++, slot++) {
        struct fc_virtio_slot s = fc_virtio_slot(slot);
        vblk_attach(&v->blk[i], s.base, s.gsi, &k->mem, &v->io.host, &v->io);
        if (vio_add(&v->io, &v->blk[i].t) != 0 ||
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
        if (vio_add(&v->io, &v->net.t) != 0 ||
            ioloop_add_when(&vm->loop, v->tap_fd, net_readable, net_wants_frames, &v->net) != 0 ||
            iobus_add(&k->mmio, s.base, FC_VIRTIO_MMIO_SIZE, v->net.t.name, vmmio_read, vmmio_write,
                      &v->net.t) != 0)
            return -1;
        hs_debug("%s: TAP %s, GSI %u", v->net.t.name, v->net.ifname, s.gsi);
    }
    return 0;
}

void fc_virtio_close(struct fc_virtio *v)
{
    if (v->vm != NULL)
        vio_close(&v->io);
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
    v->nblk = 0;
    if (v->has_net) {
        const struct vnet *n = &v->net;
        hs_debug("%s: sent %llu frames (%llu bytes, %llu refused by the TAP), received %llu "
                 "frames (%llu bytes, %llu dropped)",
                 n->t.name, (unsigned long long)n->tx_frames, (unsigned long long)n->tx_bytes,
                 (unsigned long long)n->tx_errors, (unsigned long long)n->rx_frames,
                 (unsigned long long)n->rx_bytes, (unsigned long long)n->rx_dropped);
        vnet_free(&v->net);
        v->has_net = 0;
    }
    if (v->tap_fd >= 0)
        close(v->tap_fd);
    v->tap_fd = -1;
}
