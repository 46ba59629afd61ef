/* The host half of tests/unit/test_netvsc_cosim.c: hostsim's VMBus host
 * (hostsim/vmbus/server*.c) with its network VSP (hostsim/vmbus/netvsp*.c)
 * over the test's guest RAM. The guest's and hostsim's headers cannot share
 * a file (both name their ring results and channel states alike), so the
 * host lives in its own file behind these calls. */
#ifndef TESTS_UNIT_NETVSC_COSIM_HOST_H
#define TESTS_UNIT_NETVSC_COSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COSIM_NICS 7

/* A frame the guest sent, as the host's transmit hook saw it. */
struct cosim_frame {
    uint8_t data[1600];
    size_t len;
    uint16_t csum_start, csum_offset;
};

/* nics network VSPs (relids 1..nics) over ram (gpa 0 = ram[0]); nic i
 * has MAC 02:00:00:00:00:i+1, NVSP up to max_version[i], misbehaving as
 * the hostsim --misbehave kind named misbehave[i] (NULL: not). */
void cosim_host_start(uint8_t *ram, size_t bytes, unsigned nics, const uint32_t *max_version,
                      const char *const *misbehave);
/* The guest's hypercalls. */
uint16_t cosim_host_post(uint32_t conn_id, const void *msg, size_t len);
uint16_t cosim_host_signal(uint32_t conn_id);
/* The host's next SynIC message for the guest: its length, 0 when none. */
size_t cosim_host_take(uint8_t msg[240]);
/* Channel signals to the guest: a bitmap of relids, taken and cleared. */
uint64_t cosim_host_flags(void);
/* Frames to nic (index); returns how many the host took. */
unsigned cosim_host_deliver(unsigned nic, const uint8_t *const *frames, const size_t *lens,
                            unsigned n, uint32_t csum);
/* Frames nic has sent since the last call, at most max, into out. */
unsigned cosim_host_sent(unsigned nic, struct cosim_frame *out, unsigned max);
void cosim_host_set_link(unsigned nic, bool up);
int cosim_host_rescind(unsigned nic);
/* The first violation the guest committed, or NULL. */
const char *cosim_host_violation(void);
/* What the host knows of nic: NVSP version, receive sections in use, the
 * packet filter, whether its channel is open, what it misbehaved with. */
uint32_t cosim_host_version(unsigned nic);
unsigned cosim_host_rx_busy(unsigned nic);
uint32_t cosim_host_filter(unsigned nic);
bool cosim_host_open(unsigned nic);
bool cosim_host_misbehaved(unsigned nic);
#endif
