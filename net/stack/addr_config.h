/* An interface's addresses: from the command line when given (net.ip=,
 * net.gw=, net.ip6= for net0; net1.ip= ... for the others; net.dns= for
 * all), else DHCPv4; IPv6 link-local and SLAAC always. */
#ifndef NET_STACK_ADDR_CONFIG_H
#define NET_STACK_ADDR_CONFIG_H

struct stack_if;

/* The DNS servers of net.dns= (before any interface starts). */
void addr_config_dns(void);
/* Configures sif and brings it up. */
void addr_config_apply(struct stack_if *sif);
/* Stops what addr_config_apply started (DHCP) before the interface goes. */
void addr_config_release(struct stack_if *sif);

#endif
