/* The remove action: a device taken away at run time, as a VMBus rescind or
 * a hot unplug would (anyvm_device_remove). The driver lets go of the
 * device, its class (blkdev, netdev) forgets it, the inventory drops it, and
 * the kernel carries on; the handle devinfo held on the disk or network
 * device stays safe to use and answers ENODEV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anyvm/devices.h>

#include "devinfo.h"

static bool in_inventory(const char *device)
{
    size_t n = anyvm_devices(NULL, 0);
    struct anyvm_device *d = calloc(n ? n : 1, sizeof *d);
    if (d == NULL)
        return true; /* cannot tell: not proven gone */
    size_t copied = anyvm_devices(d, n);
    bool found = false;
    for (size_t i = 0; i < n && i < copied && !found; i++)
        found = strcmp(d[i].name, device) == 0;
    free(d);
    return found;
}

/* A call on the handle of a removed disk or network device must fail with
 * ENODEV. */
static bool handle_says_gone(struct anyvm_blk *b, struct anyvm_net *nd)
{
    errno = 0;
    if (b) {
        struct anyvm_blk_info in;
        return anyvm_blk_info(b, &in) == -1 && errno == ENODEV;
    }
    struct anyvm_net_info in;
    return anyvm_net_info(nd, &in) == -1 && errno == ENODEV;
}

int devinfo_remove(const char *spec)
{
    struct anyvm_blk_info bi;
    struct anyvm_net_info ni;
    struct anyvm_blk *b = devinfo_find_disk(spec, &bi);
    struct anyvm_net *nd = b ? NULL : anyvm_net_open(spec);
    if (b == NULL && (nd == NULL || anyvm_net_info(nd, &ni) != 0)) {
        printf("devinfo: FAIL remove: no disk or network device '%s'\n", spec);
        return -1;
    }
    const char *name = b ? bi.name : ni.name, *device = b ? bi.device : ni.device;
    if (device[0] == '\0') {
        printf("devinfo: FAIL remove %s: no device behind it\n", name);
        return -1;
    }
    size_t before = anyvm_devices(NULL, 0);
    if (anyvm_device_remove(device) != 0) {
        printf("devinfo: FAIL remove %s: %s refused (%d)\n", name, device, -errno);
        return -1;
    }
    bool gone = b ? anyvm_blk_open(name) == NULL : anyvm_net_open(name) == NULL;
    bool listed = in_inventory(device), handle_ok = handle_says_gone(b, nd);
    size_t after = anyvm_devices(NULL, 0);
    if (!gone || listed || !handle_ok || after != before - 1) {
        printf("devinfo: FAIL remove %s: still known after removal (class %s, inventory %s, "
               "handle %s, %zu devices before, %zu after)\n",
               name, gone ? "forgot it" : "still lists it",
               listed ? "still lists it" : "dropped it",
               handle_ok ? "answers ENODEV" : "still works", before, after);
        return -1;
    }
    printf("devinfo: PASS remove %s (%s): %zu devices left\n", name, device, after);
    return 0;
}
