/* One lwIP interface (struct netif) per network device (dev/netdev.h),
 * whatever the driver: frames both ways, the device's link state, and the
 * checksums the device offers. */
#ifndef NET_STACK_NETIF_NETDEV_H
#define NET_STACK_NETIF_NETDEV_H

#include <stdbool.h>

#include "lwip/netif.h"

struct netdev;

struct stack_if {
    struct netif netif;
    struct netdev *nd;
    bool tcp_csum_offload; /* the device completes TCP checksums */
    /* Frames refused on the way, beyond what lwIP's own counters say. */
    unsigned long rx_no_memory; /* no pbuf for a received frame */
    unsigned long rx_too_long;  /* longer than a pbuf can hold (64 KiB) */
    unsigned long tx_refused;   /* the device would not queue the frame */
    struct stack_if *next;
};

/* Adds nd as an interface (down until configured: net/stack/addr_config.c).
 * NULL (logged) when memory runs out. */
struct stack_if *stack_if_attach(struct netdev *nd);
/* The device's link changed: the interface follows. */
void stack_if_link_changed(struct stack_if *sif);
/* The device is going away: the interface is removed and freed. */
void stack_if_detach(struct stack_if *sif);

#endif
