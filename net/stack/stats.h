/* The net.stats line: what the stack sent and received, and every drop
 * by protocol and cause (lwIP's counters, include/lwip/stats.h) plus the
 * interfaces' own (net/stack/netif_netdev.h). Printed when the VM ends,
 * and every net.stats=SECONDS while it runs. */
#ifndef NET_STACK_STATS_H
#define NET_STACK_STATS_H

struct stack_if;

void stack_stats_print(const struct stack_if *ifs);
/* Starts the periodic line when net.stats= asks for it. */
void stack_stats_start(const struct stack_if *const *ifs);

#endif
