/* How a device model ends the VM (a reset command, a debug-exit port): it
 * records the process exit status and a reason; the vCPU loop that handled
 * the access notices and stops. The first request wins. Devices know only
 * this, not the CPU back end. */
#ifndef HOSTSIM_VM_STOP_H
#define HOSTSIM_VM_STOP_H

#include <stdio.h>

struct vm_stop {
    int claimed;   /* 0 until a request takes the slot */
    int committed; /* 1 once status and reason are readable */
    int status;    /* process exit status */
    char reason[160];
};

static inline void vm_stop_request(struct vm_stop *s, int status, const char *reason)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&s->claimed, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;
    s->status = status;
    snprintf(s->reason, sizeof s->reason, "%s", reason);
    __atomic_store_n(&s->committed, 1, __ATOMIC_RELEASE);
}

static inline int vm_stop_requested(const struct vm_stop *s)
{
    return __atomic_load_n(&s->committed, __ATOMIC_ACQUIRE);
}

#endif
