/* The guest OS identity and the hypercall page (Hyper-V TLFS, "Hypercall
 * Interface": "Establishing the Hypercall Interface"; MSR numbers from Linux
 * include/hyperv/hvgdk_mini.h):
 *  - HV_X64_MSR_GUEST_OS_ID must be nonzero before the hypercall page can
 *    be enabled;
 *  - HV_X64_MSR_HYPERCALL: bit 0 Enable, bit 1 Locked, 11:2 RsvdP (kept as
 *    read), 63:12 the guest page the hypervisor overlays with its code;
 *    reading Enable back tells whether it took;
 *  - the x64 calling convention (TLFS "Hypercall Inputs", "Register Mapping
 *    for Hypercall Inputs"): control word in RCX, input GPA (or first fast
 *    input) in RDX, output GPA (or second fast input) in R8, result in RAX;
 *    the call is a CALL to the page's first byte, which returns with RET.
 * The page needs no zeroing and is never freed: the hypervisor owns it while
 * enabled. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "core/dma.h"
#include "core/log.h"
#include "hv/hv.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"

#define PAGE 4096u
#define HYPERCALL_ENABLE 1ull
#define HYPERCALL_RSVD_MASK 0xFFCull /* 11:2 RsvdP */
/* The identity reported: anyvm 0.1, build 0 (hv_guest_os_id says why type
 * and id are 0). */
#define ANYVM_KERNEL_VERSION 0x000100u

static void *hypercall_page;
/* HvPostMessage's input block: 256 bytes, 8-aligned, within one page. */
static struct hv_post_message_input *post_input;
static uint64_t post_input_gpa;

static uint64_t hypercall_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
    uint64_t result;
    register uint64_t r8 __asm__("r8") = out_gpa;
    __asm__ volatile("call *%[page]"
                     : "=a"(result), "+c"(control), "+d"(in_gpa), "+r"(r8)
                     : [page] "m"(hypercall_page)
                     : "r9", "r10", "r11", "memory", "cc");
    return result;
}

bool hyperv_hypercall_ready(void)
{
    return hypercall_page != NULL;
}

int hyperv_hypercall_init(void)
{
    if (hypercall_page != NULL)
        return 0;
    if (!hv_has(HV_CAP_HYPERV_HYPERCALL, NULL))
        return -1;
    uint64_t page_gpa;
    void *page = dma_alloc(PAGE, PAGE, &page_gpa);
    post_input = dma_alloc(PAGE, PAGE, &post_input_gpa);
    if (page == NULL || post_input == NULL) {
        kprintf("hyperv: no memory for the hypercall page\n");
        return -1;
    }
    wrmsr(HV_MSR_GUEST_OS_ID, hv_guest_os_id(ANYVM_KERNEL_VERSION, 0));
    uint64_t old = rdmsr(HV_MSR_HYPERCALL);
    wrmsr(HV_MSR_HYPERCALL, page_gpa | (old & HYPERCALL_RSVD_MASK) | HYPERCALL_ENABLE);
    uint64_t now = rdmsr(HV_MSR_HYPERCALL);
    if (!(now & HYPERCALL_ENABLE) || (now & ~0xFFFull) != page_gpa) {
        kprintf("hyperv: the hypercall page did not enable (MSR %#llx after writing %#llx)\n",
                (unsigned long long)now, (unsigned long long)(page_gpa | HYPERCALL_ENABLE));
        return -1;
    }
    hypercall_page = page;
    return 0;
}

uint16_t hyperv_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
                             size_t len)
{
    if (hypercall_page == NULL ||
        hv_post_message_build(post_input, connection_id, message_type, payload, len) != 0)
        return HV_STATUS_INVALID_PARAMETER;
    uint64_t r =
        hypercall_call(hv_hypercall_control(HVCALL_POST_MESSAGE, false), post_input_gpa, 0);
    return hv_hypercall_status(r);
}

uint16_t hyperv_signal_event(uint32_t connection_id, uint16_t flag)
{
    uint64_t input;
    if (hypercall_page == NULL || !hv_signal_event_input(connection_id, flag, &input))
        return HV_STATUS_INVALID_PARAMETER;
    /* The fast form: the input in RDX, nothing in memory. */
    uint64_t r = hypercall_call(hv_hypercall_control(HVCALL_SIGNAL_EVENT, true), input, 0);
    return hv_hypercall_status(r);
}
