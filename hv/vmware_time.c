/* The VMware backdoor's clocks on the machine (hv/hv.h): GETHZ for the TSC
 * frequency (arch/x86_64/tsc.c asks after the TSC leaf) and GETTIMEFULL for
 * the time of day (core/wallclock.c asks after kvmclock), each only when
 * hv_decide found the backdoor answering. */
#include "core/log.h"
#include "core/time.h"
#include "hv/hv.h"
#include "hv/vmware_backdoor.h"

#define NSEC_PER_USEC 1000ull

uint64_t vmware_tsc_hz(void)
{
    if (!hv_has(HV_CAP_VMWARE_BACKDOOR, NULL))
        return 0;
    return vmw_get_tsc_hz(hv_backdoor_call, NULL);
}

uint64_t vmware_wall_boot_ns(void)
{
    if (!hv_has(HV_CAP_VMWARE_BACKDOOR, NULL))
        return 0;
    uint64_t unix_us, now = time_now_ns();
    switch (vmw_get_time_us(hv_backdoor_call, NULL, &unix_us)) {
    case VMW_TIME_OK:
        break;
    case VMW_TIME_UNANSWERED:
        kprintf("wallclock: no vmport GETTIMEFULL (QEMU's vmport has none)\n");
        return 0;
    case VMW_TIME_IMPLAUSIBLE:
        kprintf("wallclock: vmport GETTIMEFULL is not in 2000-2199; ignored\n");
        return 0;
    }
    uint64_t wall = unix_us * NSEC_PER_USEC;
    return wall > now ? wall - now : 0;
}
