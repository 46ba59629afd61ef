/* The integration services anyvm answers: heartbeat (the host sees the
 * guest alive), timesync (sets the time of day), shutdown (ends the VM with
 * status 0), KVP (the guest's name and OS for the host's AUTO pool). Class
 * GUIDs and versions from Linux include/linux/hyperv.h (HV_SHUTDOWN_GUID,
 * HV_TS_GUID, HV_HEART_BEAT_GUID, HV_KVP_GUID), drivers/hv/hv_util.c
 * (sd_versions, ts_versions, hb_versions) and drivers/hv/hv_kvp.c
 * (kvp_versions 4.0, 3.0, 1.0); on the wire a GUID's first three fields are
 * little-endian.
 *
 * Shutdown: work runs from the event loop only while the application waits
 * (or yields in a system call), so the VM ends at once for an app that is
 * waiting; the application is not told first (no notification exists yet). */
#include "core/kernel.h"
#include "core/log.h"
#include "core/wallclock.h"
#include "drivers/hyperv/ic.h"
#include "core/time.h"
#include "sys/calls.h"
#include "sys/linux_abi.h"
#include "drivers/hyperv/ic_kvp.h"
#include "net/stack/addr_list.h"

#ifndef ANYVM_VERSION
#define ANYVM_VERSION "0.1"
#endif

/* 0e0b6031-5213-4934-818b-38d90ced39db */
static const struct vmbus_guid shutdown_class = {{0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
                                                  0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb}};
/* 9527e630-d0ae-497b-adce-e80ab0175caf */
static const struct vmbus_guid timesync_class = {{0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
                                                  0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf}};
/* 57164f39-9115-4e78-ab55-382f3bd5422d */
static const struct vmbus_guid heartbeat_class = {{0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
                                                   0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d}};

/* a9a0f4e7-5a45-4d96-b827-8a841e8c03e6 */
static const struct vmbus_guid kvp_class = {{0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d, 0xb8,
                                             0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6}};

static const struct ic_version shutdown_versions[] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const struct ic_version timesync_versions[] = {{4, 0}, {3, 0}, {1, 0}};
static const struct ic_version heartbeat_versions[] = {{3, 0}, {1, 0}};
static const struct ic_version kvp_versions[] = {{4, 0}, {3, 0}, {1, 0}};

/* The AUTO pool: key names as Hyper-V shows them for its guests (Linux's
 * tools/hv/hv_kvp_daemon.c answers the same keys), and in images with the
 * network stack the interfaces' addresses, read when the host asks (the
 * stack is linked only there: net_address_list is then defined). */
static uint32_t kvp_handle(struct ic_message *m, const char **why)
{
    static char v4[256], v6[512];
    struct kvp_entry pool[6] = {
        {"FullyQualifiedDomainName", "anyvm"},
        {"OSName", "anyvm"},
        {"OSVersion", ANYVM_VERSION},
        {"ProcessorArchitecture", "x86_64"},
    };
    unsigned n = 4;
    if (net_address_list != NULL) {
        net_address_list(false, v4, sizeof v4);
        net_address_list(true, v6, sizeof v6);
        pool[n++] = (struct kvp_entry){"NetworkAddressIPv4", v4};
        pool[n++] = (struct kvp_entry){"NetworkAddressIPv6", v6};
    }
    return ic_kvp_answer(m, pool, n, why);
}

static uint32_t shutdown_handle(struct ic_message *m, const char **why)
{
    uint32_t flags;
    if (ic_shutdown_flags(m, &flags, why) != 0)
        return IC_STATUS_FAIL;
    if (flags & ~1u) { /* restart or hibernate: not something a unikernel does */
        *why = "only shutdown (flags 0 or 1) is supported";
        return IC_STATUS_FAIL;
    }
    return IC_STATUS_OK;
}

/* The app is told as a Linux service would be: SIGTERM, when it handles
 * that signal (its waits end with EINTR and the handler runs); it then has
 * SHUTDOWN_GRACE_S to end by itself, with its own status, before the VM
 * ends with 0. An app without a handler ends at once, as SIGTERM's default
 * action would end it, but with status 0: the host asked, nothing failed. */
#define SHUTDOWN_GRACE_S 10
static void grace_over(struct timer *t)
{
    (void)t;
    kprintf("hyperv shutdown: the app did not end within %u s of SIGTERM; ending the VM\n",
            SHUTDOWN_GRACE_S);
    kernel_exit(0);
}

static void shutdown_now(void)
{
    static struct timer grace = {.fn = grace_over};
    if (grace.armed)
        return; /* asked again while the app winds down */
    if (sys_signal_post_kernel(LINUX_SIGTERM)) {
        kprintf("hyperv shutdown: the host asks the VM to shut down; SIGTERM to the app, "
                "which has %u s to end\n",
                SHUTDOWN_GRACE_S);
        timer_arm(&grace, time_now_ns() + SHUTDOWN_GRACE_S * 1000000000ull);
        return;
    }
    kprintf("hyperv shutdown: the host asks the VM to shut down\n");
    kernel_exit(0);
}

static uint32_t timesync_handle(struct ic_message *m, const char **why)
{
    uint64_t ns;
    uint8_t flags;
    if (ic_timesync(m, &ns, &flags, why) != 0)
        return IC_STATUS_FAIL;
    static bool set_once;
    /* SYNC: set the clock now (after a restore, at start); the first sample
     * sets it too, since the time of day was otherwise unknown or coarse. */
    if ((flags & IC_TIMESYNC_SYNC) || !set_once) {
        wallclock_set_now(ns, "hyperv timesync");
        set_once = true;
    }
    return IC_STATUS_OK;
}

static uint32_t heartbeat_handle(struct ic_message *m, const char **why)
{
    return ic_heartbeat_answer(m, why) == 0 ? IC_STATUS_OK : IC_STATUS_FAIL;
}

static const struct ic_service shutdown_service = {"shutdown", IC_MSG_SHUTDOWN, shutdown_versions,
                                                   4,          shutdown_handle, shutdown_now};
static const struct ic_service timesync_service = {"timesync", IC_MSG_TIMESYNC, timesync_versions,
                                                   3,          timesync_handle, NULL};
static const struct ic_service heartbeat_service = {
    "heartbeat", IC_MSG_HEARTBEAT, heartbeat_versions, 2, heartbeat_handle, NULL};

static const struct ic_service kvp_service = {"kvp", IC_MSG_KVP, kvp_versions, 3, kvp_handle, NULL};

static int kvp_probe(struct vmbus_dev *vd)
{
    return ic_probe(vd, &kvp_service);
}
static int shutdown_probe(struct vmbus_dev *vd)
{
    return ic_probe(vd, &shutdown_service);
}
static int timesync_probe(struct vmbus_dev *vd)
{
    return ic_probe(vd, &timesync_service);
}
static int heartbeat_probe(struct vmbus_dev *vd)
{
    return ic_probe(vd, &heartbeat_service);
}

static struct vmbus_driver shutdown_driver = {
    .drv = {.name = "hv-shutdown", .bus = &vmbus_bus},
    .classes = &shutdown_class,
    .nclasses = 1,
    .probe = shutdown_probe,
};
static struct vmbus_driver timesync_driver = {
    .drv = {.name = "hv-timesync", .bus = &vmbus_bus},
    .classes = &timesync_class,
    .nclasses = 1,
    .probe = timesync_probe,
};
static struct vmbus_driver heartbeat_driver = {
    .drv = {.name = "hv-heartbeat", .bus = &vmbus_bus},
    .classes = &heartbeat_class,
    .nclasses = 1,
    .probe = heartbeat_probe,
};
static struct vmbus_driver kvp_driver = {
    .drv = {.name = "hv-kvp", .bus = &vmbus_bus},
    .classes = &kvp_class,
    .nclasses = 1,
    .probe = kvp_probe,
};
VMBUS_DRIVER_REGISTER(shutdown_driver);
VMBUS_DRIVER_REGISTER(kvp_driver);
VMBUS_DRIVER_REGISTER(timesync_driver);
VMBUS_DRIVER_REGISTER(heartbeat_driver);
