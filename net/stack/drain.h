/* The end of the VM for TCP: when the app exits, data its connections
 * still hold (sent but not acknowledged, or not sent yet, and the FINs of
 * the ones it closed) would die with the VM, where Linux would go on
 * delivering it after the process ended. The stack's stop (net/stack/
 * stack.c, at kernel_exit) therefore lets lwIP finish, for a bounded
 * time. */
#ifndef NET_STACK_DRAIN_H
#define NET_STACK_DRAIN_H

#include <stdint.h>

/* Runs the event loop until no TCP connection holds unacknowledged or
 * unsent data, or for at most limit_ns; says on the console how many
 * still did when the time ran out. Returns that number. */
unsigned stack_drain(uint64_t limit_ns);

#endif
