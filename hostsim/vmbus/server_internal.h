/* What server.c, server_gpadl.c and server_channel.c share: the VMBus
 * host's helpers and message handlers (server.h is the interface). */
#ifndef HOSTSIM_VMBUS_SERVER_INTERNAL_H
#define HOSTSIM_VMBUS_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/vmbus/server.h"

uint32_t vmbus_srv_get32(const uint8_t *p);
/* Posts a message of `type` whose body is n little-endian u32 words. */
void vmbus_srv_send_words(struct vmbus_host *h, uint32_t type, const uint32_t *w, unsigned n);
/* The channel with relid, or NULL. */
struct vmbus_host_channel *vmbus_srv_channel(struct vmbus_host *h, uint32_t relid);
/* A channel the guest may name (offered, not released), or NULL after a
 * violation that says `what` named relid. */
struct vmbus_host_channel *vmbus_srv_named(struct vmbus_host *h, const char *what, uint32_t relid);
struct vmbus_host_gpadl *vmbus_srv_find_gpadl(struct vmbus_host *h, uint32_t id);
void vmbus_srv_close_channel(struct vmbus_host_channel *ch);
/* MISBEHAVE: true once, when kind is the fault asked for, on channel ch
 * (NULL: none in particular); never on the shutdown service's channel. */
bool vmbus_srv_misbehave_now(struct vmbus_host *h, const struct vmbus_host_channel *ch,
                             enum vmbus_host_misbehave kind, const char *what);

/* Message handlers: b is the body (n bytes, after the 8-byte header). */
void vmbus_srv_gpadl_header(struct vmbus_host *h, const uint8_t *b, size_t n);
void vmbus_srv_gpadl_body(struct vmbus_host *h, const uint8_t *b, size_t n);
void vmbus_srv_gpadl_teardown(struct vmbus_host *h, const uint8_t *b, size_t n);
void vmbus_srv_open_channel(struct vmbus_host *h, const uint8_t *b, size_t n);
void vmbus_srv_close_message(struct vmbus_host *h, const uint8_t *b, size_t n);
void vmbus_srv_relid_released(struct vmbus_host *h, const uint8_t *b, size_t n);

#endif
