/* The Hyper-V machine's synthetic NIC: hostsim's network VSP
 * (hostsim/vmbus/netvsp.h) offered on VMBus and wired to an existing TAP
 * device (--nic tap=NAME[,mac=MAC]), opened as for Firecracker's
 * virtio-net (hostsim/virtio/tap.h: IFF_VNET_HDR, a 12-byte header, no
 * offloads). Frames the guest sends go to the TAP with final checksums (a
 * TCP or UDP checksum the guest left to the host is finished here, as a
 * NIC finishes it before the wire); frames
 * the TAP delivers go to the guest from hostsim's I/O loop while it has
 * receive sections free. --netvsc-link STATE@SECONDS[,...] takes the link
 * down or up that long into the run (the guest gets RNDIS media
 * indications). */
#ifndef HOSTSIM_HYPERV_NIC_MACHINE_H
#define HOSTSIM_HYPERV_NIC_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/hyperv/vmbus_machine.h"
#include "hostsim/options.h"
#include "hostsim/vmbus/netvsp.h"

#define HVM_NIC_LINK_EVENTS 8
#define HVM_NIC_FRAME_MAX 1600 /* the 12-byte header and a 1514-byte frame, with room */

struct hvm_nic_link_event {
    bool up;
    unsigned seconds;
};

struct hvm_nic {
    struct hostsim_vm *vm;
    struct netvsp vsp;
    int tap_fd, timer_fd;
    char ifname[HOSTSIM_IFNAME_MAX];
    /* frames read from the TAP and not taken by the guest yet */
    uint8_t frame[NETVSP_MAX_RANGES][HVM_NIC_FRAME_MAX];
    size_t len[NETVSP_MAX_RANGES];
    unsigned pending;
    struct hvm_nic_link_event link[HVM_NIC_LINK_EVENTS];
    unsigned nlink, next_link;
    unsigned long ticks;
    uint64_t tx_errors, rx_oversize;
};

/* --netvsc-link: parses "down@3,up@5" into events. 0, or -1 with err. */
int hvm_nic_parse_link(const char *arg, struct hvm_nic_link_event *ev, unsigned *n, char *err,
                       size_t errlen);
/* Opens the TAP and offers the NIC on b (after hvm_vmbus_attach). 0, or -1
 * after saying why. */
int hvm_nic_attach(struct hvm_nic *n, struct hvm_vmbus *b, struct hostsim_vm *vm,
                   const struct hostsim_nic *nic, const struct hvm_nic_link_event *link,
                   unsigned nlink);
/* Watches the TAP (from the model's start hook). 0 or -1. */
int hvm_nic_start(struct hvm_nic *n);
void hvm_nic_stop(struct hvm_nic *n);

#endif
