/* The boot log's address lines: each interface's IPv4 settings when they
 * are set (statically or by DHCP) and each IPv6 address when it becomes
 * usable, e.g.
 *   net0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (DHCP)
 *   net0: fe80::5054:ff:fe12:3456 (IPv6 link-local) */
#ifndef NET_STACK_ADDR_REPORT_H
#define NET_STACK_ADDR_REPORT_H

void addr_report_start(void);

#endif
