/* Strict parsers for the addresses on the kernel command line (net.ip=,
 * net.gw=, net.dns=, net.ip6=): dotted-quad IPv4 (RFC 791 notation, no
 * octal, hex or short forms, which inet_aton would take), RFC 4291 section
 * 2.2 IPv6 text (with "::", without an embedded IPv4 part), and a prefix
 * length after "/". Pure logic: host tests link it unchanged. */
#ifndef NET_STACK_ADDR_PARSE_H
#define NET_STACK_ADDR_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* "a.b.c.d" into 4 bytes in network order; false when malformed. */
bool addr_parse_ip4(const char *s, uint8_t out[4]);
/* IPv6 text into 16 bytes in network order; false when malformed. */
bool addr_parse_ip6(const char *s, uint8_t out[16]);
/* "ADDR/LEN" (LEN 0..32 for IPv4, 0..128 for IPv6; LEN may be left out:
 * *prefix is then def). The address part is at most 45 characters. */
bool addr_parse_ip4_prefix(const char *s, uint8_t out[4], unsigned *prefix, unsigned def);
bool addr_parse_ip6_prefix(const char *s, uint8_t out[16], unsigned *prefix, unsigned def);

#endif
