/* The guest's VMBus ring code (bus/vmbus/vmbus_ring.c) and hostsim's
 * (hostsim/vmbus/ring.c) on the same pages, in one process. Their headers
 * each name an enum vmbus_ring_result, so each side is wrapped in a file
 * of its own (ring_pair_guest.c, ring_pair_host.c) behind these calls.
 * Results: RP_OK, RP_EMPTY (read), RP_FULL (write), RP_BROKEN (the side
 * refused what the other wrote; *why says how). */
#ifndef TESTS_UNIT_RING_PAIR_H
#define TESTS_UNIT_RING_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RP_OK, RP_EMPTY, RP_FULL, RP_BROKEN };

/* Both rings over one zeroed buffer: the guest-to-host ring of
 * out_bytes, then the host-to-guest ring of in_bytes (each a 4 KiB
 * control page and data pages). 0, or -1. */
int rp_init(uint32_t out_bytes, uint32_t in_bytes);

int rp_guest_send(const void *p, size_t len, uint64_t txid, bool *signal, const char **why);
int rp_guest_recv(void *buf, size_t cap, size_t *len, uint64_t *txid, bool *signal,
                  const char **why);
void rp_guest_mask(void);
bool rp_guest_unmask(void); /* true: data arrived while masked */

int rp_host_send(const void *p, size_t len, uint64_t txid, bool *signal, const char **why);
int rp_host_recv(void *buf, size_t cap, size_t *len, uint64_t *txid, bool *signal,
                 const char **why);
/* hostsim's --misbehave faults for its next write: 1 a write index past
 * the ring, 2 a packet claiming the whole ring (hostsim/vmbus/ring.h). */
void rp_host_corrupt_next(int kind);

#endif
