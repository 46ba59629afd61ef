/* The interfaces' addresses as one line, for whoever reports them to the
 * host (Hyper-V's KVP service: NetworkAddressIPv4 and NetworkAddressIPv6,
 * drivers/hyperv/ic_services.c). */
#ifndef NET_STACK_ADDR_LIST_H
#define NET_STACK_ADDR_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* Every usable IPv4 (ipv6 false) or IPv6 address of the interfaces but the
 * loopback, separated by ';' as Hyper-V's KVP values list them, into out
 * (len bytes, NUL-terminated; an address that does not fit is left out).
 * Returns the number written. Runs from the event loop, as lwIP does.
 * Weak: an image without the network stack does not define it, and a
 * caller then finds it NULL. */
unsigned net_address_list(bool ipv6, char *out, size_t len) __attribute__((weak));

#endif
