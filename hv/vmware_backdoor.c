/* hv/vmware_backdoor.h. Register use of each command, from open-vm-tools:
 *  - GETVERSION (lib/vmCheck/vmcheck.c, VmCheck_GetVersion): EBX = anything
 *    but the magic; out EAX = version, EBX = the magic, ECX = product type
 *    (lib/include/vm_vmx_type.h VMX_TYPE_*: 2 ESX, 4 Workstation).
 *  - GETHZ (lib/include/backdoor_def.h; Linux arch/x86/kernel/cpu/vmware.c,
 *    vmware_platform_setup): EBX = 0xFFFFFFFF; out EBX:EAX = the TSC rate in
 *    Hz, ECX = the APIC bus rate; EBX still 0xFFFFFFFF = not supported.
 *  - GETTIMEFULL (lib/backdoor/backdoor.c, VMBackdoor_GetTime; services/
 *    plugins/timeSync/timeSync.c): out EAX = the magic on success, ESI:EDX =
 *    seconds since 1970 (64 bits), EBX = microseconds, ECX = the largest lag
 *    the host allows. QEMU 7.2's vmport (hw/i386/vmport.c) answers unknown
 *    commands with EAX = 0xFFFFFFFF and has no GETTIMEFULL. */
#include "hv/vmware_backdoor.h"

#define BDOOR_NO_ANSWER 0xFFFFFFFFu
#define USEC_PER_SEC 1000000ull
#define SECS_2000 946684800ull  /* 2000-01-01 00:00:00 UTC */
#define SECS_2200 7258118400ull /* 2200-01-01 00:00:00 UTC */

static struct hv_backdoor_regs ask(hv_backdoor_fn call, void *ctx, uint32_t cmd, uint32_t ebx)
{
    struct hv_backdoor_regs r = {
        .eax = VMW_BDOOR_MAGIC, .ebx = ebx, .ecx = cmd, .edx = VMW_BDOOR_PORT};
    call(ctx, &r);
    return r;
}

bool vmw_get_version(hv_backdoor_fn call, void *ctx, uint32_t *version, uint32_t *type)
{
    struct hv_backdoor_regs r = ask(call, ctx, VMW_CMD_GETVERSION, ~VMW_BDOOR_MAGIC);
    if (r.ebx != VMW_BDOOR_MAGIC || r.eax == BDOOR_NO_ANSWER)
        return false;
    *version = r.eax;
    *type = r.ecx == VMW_CMD_GETVERSION ? 0 : r.ecx;
    return true;
}

const char *vmw_type_name(uint32_t type)
{
    switch (type) {
    case 1:
        return "Express";
    case 2:
        return "ESX";
    case 3:
        return "Server";
    case 4:
        return "Workstation";
    case 5:
        return "Workstation Enterprise";
    }
    return NULL;
}

uint64_t vmw_get_tsc_hz(hv_backdoor_fn call, void *ctx)
{
    struct hv_backdoor_regs r = ask(call, ctx, VMW_CMD_GETHZ, BDOOR_NO_ANSWER);
    if (r.ebx == BDOOR_NO_ANSWER)
        return 0;
    return (uint64_t)r.ebx << 32 | r.eax;
}

enum vmw_time_result vmw_get_time_us(hv_backdoor_fn call, void *ctx, uint64_t *unix_us)
{
    struct hv_backdoor_regs r = ask(call, ctx, VMW_CMD_GETTIMEFULL, 0);
    if (r.eax != VMW_BDOOR_MAGIC)
        return VMW_TIME_UNANSWERED;
    uint64_t secs = (uint64_t)r.esi << 32 | r.edx;
    if (r.ebx >= USEC_PER_SEC || secs < SECS_2000 || secs >= SECS_2200)
        return VMW_TIME_IMPLAUSIBLE;
    *unix_us = secs * USEC_PER_SEC + r.ebx;
    return VMW_TIME_OK;
}
