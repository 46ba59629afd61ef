/* Network devices at the frame level, for apps (implemented in the kernel's
 * api/ on the network device class). Apps that want TCP/IP use the C
 * library's sockets once the network stack is in; this is for programs that
 * speak Ethernet themselves (devinfo's ARP/ICMP/UDP responder). A handle
 * stays valid after its device is removed: calls on it then fail with
 * ENODEV. */
#ifndef ANYVM_NET_H
#define ANYVM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <anyvm/devices.h>

#ifdef __cplusplus
extern "C" {
#endif

struct anyvm_net;

struct anyvm_net_info {
    char name[16];   /* "net0" */
    char driver[32]; /* "virtio-net" */
    uint8_t mac[6];
    uint32_t mtu; /* the largest payload of one frame, bytes */
    bool link_up;
    bool tx_csum_offload;               /* anyvm_net_send_csum works */
    char device[ANYVM_DEVICE_NAME_MAX]; /* the device behind it (anyvm/devices.h), or "" */
};

/* The network devices: the first (prev NULL) or the one after prev; NULL
 * at the end, or with errno ENODEV when prev was removed. */
struct anyvm_net *anyvm_net_next(struct anyvm_net *prev);
/* The device named name ("net0"), or NULL with errno ENOENT. */
struct anyvm_net *anyvm_net_open(const char *name);
int anyvm_net_info(struct anyvm_net *n, struct anyvm_net_info *out);

/* Sends one Ethernet frame (destination MAC first, no FCS): 0, or -1 with
 * errno EMSGSIZE (longer than mtu + 14), EINVAL (shorter than the 14-byte
 * Ethernet header), EAGAIN (the device's queue is full: wait and retry),
 * EIO (the device was disabled after breaking its protocol), ENODEV. */
int anyvm_net_send(struct anyvm_net *n, const void *frame, size_t len);

/* anyvm_net_send with the frame's transport checksum (TCP, UDP, ICMP) left
 * to the device, on a device whose info says tx_csum_offload (EOPNOTSUPP
 * on others): the 16-bit Internet checksum (RFC 1071) over [csum_start,
 * len) is stored at csum_start + csum_offset, where the frame holds the
 * folded sum of the protocol's pseudo-header (as virtio-net's NEEDS_CSUM,
 * virtio 1.2, 5.1.6.2). EINVAL when that field is not inside the frame. */
int anyvm_net_send_csum(struct anyvm_net *n, const void *frame, size_t len, size_t csum_start,
                        size_t csum_offset);

/* Calls receive(ctx, frame, len) for every frame the device receives from
 * now on, from the kernel's loop while the app waits (anyvm/wait.h); the
 * frame is valid during the call only; receive may send and wait, but not
 * remove a device (anyvm/devices.h). NULL stops it. Frames nobody receives
 * are counted as dropped. */
int anyvm_net_set_receiver(struct anyvm_net *n,
                           void (*receive)(void *ctx, const void *frame, size_t len), void *ctx);

/* The device's counters since it appeared. */
struct anyvm_net_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t rx_csum_completed; /* received frames whose partial checksum the kernel completed */
    uint64_t tx_csum_offloaded; /* frames sent with the checksum left to the device */
};
int anyvm_net_stats(struct anyvm_net *n, struct anyvm_net_stats *out);

#ifdef __cplusplus
}
#endif

#endif
