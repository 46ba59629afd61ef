/* hostsim's VMBus host with its storvsc back end, for the co-simulation in
 * test_storvsc_cosim.c, behind a plain interface: the guest's and hostsim's
 * headers declare the same ring names, so no file includes both. The host
 * sees all of the test process's memory as guest RAM (a device address is
 * the host pointer: tests/unit/host_platform.c dma_addr). */
#ifndef TESTS_UNIT_STORVSC_COSIM_HOST_H
#define TESTS_UNIT_STORVSC_COSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COSIM_CONTROLLERS 8

/* A fresh host without channels: controllers are offered in the order
 * they get their first disk, relids 1, 2, ... */
void cosim_host_reset(void);
/* Adds a disk to controller c (below COSIM_CONTROLLERS). 0 or -1. */
int cosim_host_add_disk(unsigned c, int fd, bool read_only, uint64_t bytes, const char *serial);
/* A disk added to controller c while the guest runs, then ENUMERATE_BUS.
 * 0 or -1. */
int cosim_host_hot_add(unsigned c, int fd, uint64_t bytes, const char *serial);
/* Before the guest connects: controller c's fault (storvsc.h's enum
 * storvsc_host_misbehave) and the newest storvsc version it takes. */
void cosim_host_misbehave(unsigned c, int kind);
void cosim_host_max_version(unsigned c, uint16_t v);
/* The guest's hypercalls. */
int cosim_host_post(uint32_t connection_id, const void *msg, size_t len);
void cosim_host_signal(uint32_t connection_id);
/* The host's messages for the guest, oldest first: 1 with the message. */
int cosim_host_take(uint8_t msg[240], uint8_t *len);
/* Rescinds controller c's channel. */
int cosim_host_rescind(unsigned c);
/* Rescinds controller c once it has taken `srbs` more SRBs (checked after
 * each guest signal). */
void cosim_host_rescind_after(unsigned c, uint64_t srbs);
/* The violation the host saw ("" when none) and what it injected. */
const char *cosim_host_violation(void);
const char *cosim_host_misbehaved(void);
/* Set by the test: called when the host signals channel relid, and when
 * it posts a message (the guest's SynIC interrupts). */
extern void (*cosim_guest_signal)(uint32_t relid);
extern void (*cosim_guest_message)(void);
/* Counters of controller c. */
uint64_t cosim_host_srbs(unsigned c);
uint64_t cosim_host_flushes(unsigned c);

#endif
