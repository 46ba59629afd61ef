/* The VMware backdoor ("vmport"): an IN from I/O port 0x5658 with the magic
 * in EAX and a command number in ECX; the answer comes back in the registers
 * (open-vm-tools lib/include/backdoor_def.h: BDOOR_PORT, BDOOR_MAGIC,
 * BDOOR_CMD_*). VMware's hypervisors answer it, and so does QEMU's vmport
 * device on pc and q35, which is why the backdoor alone never says "VMware"
 * (hv/hv_decide.c).
 *
 * The commands are decoded here from the registers alone, over a call
 * function (hv_backdoor_fn, hv/hv.h), so host tests and the fuzzer drive
 * them with simulated answers; hv/detect.c makes the real call. */
#ifndef HV_VMWARE_BACKDOOR_H
#define HV_VMWARE_BACKDOOR_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/hv.h"

#define VMW_BDOOR_PORT 0x5658
#define VMW_BDOOR_MAGIC 0x564D5868u /* "VMXh" */
#define VMW_CMD_GETVERSION 10
#define VMW_CMD_GETHZ 45
#define VMW_CMD_GETTIMEFULL 46

/* GETVERSION: true when the magic came back in EBX and EAX holds a version
 * (0xFFFFFFFF means none); *type gets ECX, the product type (VMX_TYPE_*),
 * or 0 when ECX came back unchanged. */
bool vmw_get_version(hv_backdoor_fn call, void *ctx, uint32_t *version, uint32_t *type);

/* "ESX", "Workstation", ... for a product type; NULL when unknown. */
const char *vmw_type_name(uint32_t type);

/* GETHZ: the TSC frequency in Hz, or 0 when the command is not answered
 * (EBX comes back unchanged: QEMU's vmport without a known TSC rate). */
uint64_t vmw_get_tsc_hz(hv_backdoor_fn call, void *ctx);

enum vmw_time_result {
    VMW_TIME_OK,
    VMW_TIME_UNANSWERED, /* EAX is not the magic: no such command (QEMU's vmport) */
    VMW_TIME_IMPLAUSIBLE /* answered, but microseconds >= 10^6 or a year before 2000 or after 2199
                          */
};

/* GETTIMEFULL: the host's time of day in Unix microseconds. */
enum vmw_time_result vmw_get_time_us(hv_backdoor_fn call, void *ctx, uint64_t *unix_us);

#endif
