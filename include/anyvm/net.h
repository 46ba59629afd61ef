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
};

struct anyvm_net *anyvm_net_next(struct anyvm_net *prev);
struct anyvm_net *anyvm_net_open(const char *name);
int anyvm_net_info(struct anyvm_net *n, struct anyvm_net_info *out);

/* Sends one Ethernet frame (destination MAC first, no FCS): 0, or -1 with
 * errno EMSGSIZE (longer than mtu + 14), EAGAIN (the device's queue is full:
 * wait and retry), ENODEV. */
int anyvm_net_send(struct anyvm_net *n, const void *frame, size_t len);

/* Calls receive(ctx, frame, len) for every frame the device receives from
 * now on, from the kernel's loop while the app waits (anyvm/wait.h); the
 * frame is valid during the call only; receive may send. NULL stops it. */
int anyvm_net_set_receiver(struct anyvm_net *n,
                           void (*receive)(void *ctx, const void *frame, size_t len), void *ctx);

#ifdef __cplusplus
}
#endif

#endif
