/* VMBus for drivers: each channel the host offers is a device on the
 * "vmbus" bus (core/device.h), matched to drivers by its class GUID (the
 * offer's interface type). A driver opens the channel (one GPADL holding
 * both rings), sends and receives packets, and is called in thread context
 * when the host signals the channel. A host that breaks the protocol on a
 * channel gets that channel closed and its device disabled; the kernel and
 * the other channels go on. A rescinded offer is a device removal. */
#ifndef BUS_VMBUS_VMBUS_H
#define BUS_VMBUS_VMBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/vmbus/vmbus_msg.h"
#include "bus/vmbus/vmbus_ring.h"
#include "core/device.h"
#include "core/event.h"

enum vmbus_channel_state { VMBUS_CH_CLOSED, VMBUS_CH_OPEN, VMBUS_CH_BROKEN };

/* GPADLs a driver makes over its own buffers (netvsc's receive and send
 * buffers), besides the ring GPADL. */
#define VMBUS_BUFFER_GPADLS 2
struct vmbus_buffer_gpadl {
    uint32_t id;
    bool live; /* created, not torn down */
    bool kept; /* the host never let go: the memory stays the host's */
};

struct vmbus_dev {
    struct device dev;
    struct vmbus_offer offer;
    enum vmbus_channel_state state;
    bool added, rescinded, gone;
    const char *violation; /* seen while taking messages; acted on by vmbus_settle */
    /* the rings: one GPADL over out_bytes (upstream) then in_bytes */
    void *ring_pages;
    uint32_t ring_bytes, gpadl;
    bool gpadl_live;
    bool open_sent; /* OPENCHANNEL went out: only then is CLOSECHANNEL due */
    struct vmbus_ring out, in;
    struct vmbus_buffer_gpadl buffer_gpadl[VMBUS_BUFFER_GPADLS];
    /* the one request waiting for the host's reply */
    struct {
        enum vmbus_msgtype want;
        uint32_t id;
        bool done;
        bool refused; /* done because the host answered something else: no status */
        uint32_t status;
    } reply;
    struct work work; /* runs on_event when the host signals */
    void (*on_event)(struct vmbus_dev *vd);
    void *priv; /* the driver's */
    struct vmbus_dev *next;
};

struct vmbus_driver {
    struct driver drv;
    const struct vmbus_guid *classes;
    unsigned nclasses;
    int (*probe)(struct vmbus_dev *vd);
    void (*remove)(struct vmbus_dev *vd); /* may be NULL; the channel is closed after */
};
extern const struct bus vmbus_bus;
#define VMBUS_DRIVER_REGISTER(vdrv) DRIVER_REGISTER(vdrv, &(vdrv).drv)

/* Opens the channel with rings of out_bytes and in_bytes (multiples of
 * 4096, at least 8192 each). on_event runs in thread context whenever the
 * host signals the channel. 0, or -1 with a log line. */
int vmbus_open(struct vmbus_dev *vd, uint32_t out_bytes, uint32_t in_bytes,
               void (*on_event)(struct vmbus_dev *vd));
/* Closes it (CLOSECHANNEL, GPADL teardown) and frees the rings once the
 * host has let go of them; buffer GPADLs still live are torn down too
 * (their memory stays the driver's to free: vmbus_gpadl_destroy says
 * whether it may). */
void vmbus_close(struct vmbus_dev *vd);
/* Sends one packet of type (VMBUS_PKT_DATA_INBAND, VMBUS_PKT_COMP) with
 * the payload. 0; 1 when the ring is full now; -1 when the channel is not
 * open, or broken (logged). */
int vmbus_send(struct vmbus_dev *vd, uint16_t type, const void *payload, size_t len,
               uint64_t transaction_id, bool completion_requested);
/* Receives the next packet into buf: 1 with *pkt, 0 when none is waiting,
 * -1 when the channel is closed or the host broke the ring (logged, the
 * channel closed). */
int vmbus_recv(struct vmbus_dev *vd, void *buf, size_t len, struct vmbus_pkt *pkt);
/* A GPADL over a driver's buffer of bytes (a multiple of 4096) at device
 * address gpa (page-aligned, physically contiguous), on an open channel:
 * GPADL_HEADER and BODY messages, then GPADL_CREATED. 0 with *id, or -1
 * with a log line (the host refused it, or no slot is free). */
int vmbus_gpadl_create(struct vmbus_dev *vd, uint64_t gpa, uint32_t bytes, uint32_t *id);
/* Tears down a GPADL from vmbus_gpadl_create (GPADL_TEARDOWN, then
 * GPADL_TORNDOWN). 0 when the host let go of the buffer (now or in
 * vmbus_close): the driver may free it; -1 when it did not (logged): the
 * memory must stay untouched. */
int vmbus_gpadl_destroy(struct vmbus_dev *vd, uint32_t id);
/* The host broke the protocol of this channel: logs, closes it, disables
 * the device. */
void vmbus_fail(struct vmbus_dev *vd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends one GPA-direct packet (bus/vmbus/vmbus_gpa.h) with completion
 * requested: the ranges of guest memory the host reads or writes in place,
 * then the payload. Returns as vmbus_send (bus/vmbus/vmbus_gpa.c). */
struct vmbus_gpa_range;
int vmbus_send_gpa(struct vmbus_dev *vd, const struct vmbus_gpa_range *ranges, unsigned nranges,
                   const void *payload, size_t len, uint64_t transaction_id);

/* The connection (bus/vmbus/vmbus_conn.c). vmbus_connect negotiates the
 * version and takes the offers (the pre-V5 interrupt page and the two
 * monitor pages are the guest's, named in INITIATE_CONTACT); 0 or -1
 * with a log line. */
int vmbus_connect(uint64_t interrupt_page, uint64_t monitor1, uint64_t monitor2);
int vmbus_post(const void *msg, size_t len);
/* Takes what the host sent: messages and channel signals. */
void vmbus_pump(void);
/* Waits (running the event loop and pumping) until *flag or timeout_ms. */
bool vmbus_wait_flag(const bool *flag, unsigned timeout_ms);
struct vmbus_dev *vmbus_channel_by_relid(uint32_t relid);
struct vmbus_dev *vmbus_channel_by_gpadl(uint32_t gpadl);
/* The message handler's hook into the channel layer (vmbus_channel.c):
 * replies to a channel's request. */
void vmbus_channel_reply(const struct vmbus_host_msg *m);
/* Adds new offers as devices and removes rescinded ones (thread context,
 * never from inside vmbus_pump). */
void vmbus_settle(void);

#endif
