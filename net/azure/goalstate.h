/* The WireServer's goal state and the health report an Azure VM without a
 * provisioning agent sends back (Microsoft, "Creating generalized images
 * without a provisioning agent", learn.microsoft.com/azure/virtual-machines/
 * linux/no-agent, "Generic steps"): the guest reads ContainerId, InstanceId
 * and Incarnation from the goal state XML and posts them back in a <Health>
 * document whose State is Ready. Pure logic (host tests, fuzz_azure_goalstate). */
#ifndef NET_AZURE_GOALSTATE_H
#define NET_AZURE_GOALSTATE_H

#include <stddef.h>
#include <stdint.h>

/* The longest ContainerId or InstanceId taken: a GUID is 36 characters; the
 * documented InstanceId is a GUID, '.', and the role instance's name. */
#define AZURE_ID_MAX 128

struct azure_goalstate {
    uint32_t incarnation;
    char container_id[AZURE_ID_MAX + 1];
    char instance_id[AZURE_ID_MAX + 1];
};

/* Reads GoalState/Incarnation, GoalState/Container/ContainerId and
 * GoalState/Container/RoleInstanceList/RoleInstance/InstanceId from the len
 * bytes at xml (not NUL-terminated; any bytes). Each must appear exactly
 * once; the ids may hold only letters, digits, '-', '.' and '_' (so they go
 * into the report unescaped) and the incarnation is a decimal number below
 * 2^32. Returns NULL and fills out, or a reason naming what was wrong (a
 * constant string; out is then undefined). */
const char *azure_goalstate_parse(const char *xml, size_t len, struct azure_goalstate *out);

/* The <Health> report for gs, State Ready, into buf (cap bytes, NUL
 * included): its length, or 0 when it does not fit. */
size_t azure_health_report(const struct azure_goalstate *gs, char *buf, size_t cap);

#endif
