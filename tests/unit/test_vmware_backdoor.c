/* hv/vmware_backdoor.c against simulated backdoors: QEMU 7.2's vmport
 * (hw/i386/vmport.c: GETVERSION answers version 6, type 2; GETHZ only when
 * the TSC rate is known; no GETTIMEFULL, unknown commands give all ones in
 * EAX), a VMware host as open-vm-tools reads one (lib/backdoor/backdoor.c,
 * VMBackdoor_GetTime: EBX microseconds, ESI:EDX seconds), and hosts that
 * answer nonsense. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hv/hv.h"
#include "hv/vmware_backdoor.h"
#include "unit.h"

#define MAGIC 0x564D5868u

struct host {
    bool present;           /* something at the port checks the magic */
    uint32_t version, type; /* GETVERSION's answer */
    bool type_unset;        /* ECX comes back as it went in */
    uint64_t tsc_hz;        /* GETHZ's answer; 0: not answered */
    bool has_time;          /* GETTIMEFULL answered */
    uint64_t secs;          /* ... with these seconds */
    uint32_t usecs;         /* ... and microseconds */
    int calls;
    struct hv_backdoor_regs last_in;
};

static void host_call(void *ctx, struct hv_backdoor_regs *r)
{
    struct host *h = ctx;
    h->calls++;
    h->last_in = *r;
    if (!h->present || r->eax != MAGIC || r->edx != VMW_BDOOR_PORT) {
        r->eax = 0xFFFFFFFFu;
        return;
    }
    switch (r->ecx) {
    case VMW_CMD_GETVERSION:
        r->eax = h->version;
        r->ebx = MAGIC;
        if (!h->type_unset)
            r->ecx = h->type;
        return;
    case VMW_CMD_GETHZ:
        if (h->tsc_hz == 0)
            return; /* EBX stays 0xFFFFFFFF */
        r->eax = (uint32_t)h->tsc_hz;
        r->ebx = (uint32_t)(h->tsc_hz >> 32);
        r->ecx = 66000000; /* APIC bus Hz */
        return;
    case VMW_CMD_GETTIMEFULL:
        if (!h->has_time)
            break;
        r->eax = MAGIC;
        r->ebx = h->usecs;
        r->ecx = 1000000; /* largest lag */
        r->edx = (uint32_t)h->secs;
        r->esi = (uint32_t)(h->secs >> 32);
        return;
    }
    r->eax = 0xFFFFFFFFu; /* QEMU: unknown command */
}

static const struct host qemu_vmport = {.present = true, .version = 6, .type = 2};

TEST(qemu_vmport_answers_version_only)
{
    struct host h = qemu_vmport;
    uint32_t version = 0, type = 0;
    CHECK(vmw_get_version(host_call, &h, &version, &type));
    CHECK_EQ(version, 6u);
    CHECK_EQ(type, 2u);
    CHECK_STR(vmw_type_name(type), "ESX");
    CHECK_EQ(h.last_in.ebx != MAGIC, true); /* EBX must not be the magic going in */
    CHECK_EQ(vmw_get_tsc_hz(host_call, &h), 0u);
    CHECK_EQ(h.last_in.ebx, 0xFFFFFFFFu);
    uint64_t us = 7;
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_UNANSWERED);
    CHECK_EQ(us, 7u); /* untouched */
}

TEST(nothing_at_the_port)
{
    struct host h = {.present = false};
    uint32_t version = 1, type = 1;
    CHECK(!vmw_get_version(host_call, &h, &version, &type));
    CHECK_EQ(vmw_get_tsc_hz(host_call, &h), 0u);
    uint64_t us;
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_UNANSWERED);
    CHECK_EQ(h.calls, 3);
}

TEST(version_all_ones_is_no_backdoor)
{
    struct host h = qemu_vmport;
    h.version = 0xFFFFFFFFu;
    uint32_t version, type;
    CHECK(!vmw_get_version(host_call, &h, &version, &type));
}

TEST(type_left_unchanged_reads_as_unset)
{
    struct host h = qemu_vmport;
    h.type_unset = true;
    uint32_t version, type = 99;
    CHECK(vmw_get_version(host_call, &h, &version, &type));
    CHECK_EQ(type, 0u);
    CHECK(vmw_type_name(0) == NULL);
    CHECK_STR(vmw_type_name(4), "Workstation");
    CHECK(vmw_type_name(6) == NULL);
}

TEST(esx_gives_tsc_rate_and_time)
{
    struct host h = {.present = true,
                     .version = 6,
                     .type = 2,
                     .tsc_hz = 5200000000ull,
                     .has_time = true,
                     .secs = 1796428800ull /* 2026-12-05 */,
                     .usecs = 250};
    CHECK_EQ(vmw_get_tsc_hz(host_call, &h), 5200000000ull); /* above 2^32: EBX used */
    uint64_t us = 0;
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_OK);
    CHECK_EQ(us, 1796428800ull * 1000000u + 250u);
}

TEST(time_seconds_use_the_high_word)
{
    /* 2106-02-07 is past 2^32 seconds: ESI carries the high word */
    struct host h = {.present = true, .has_time = true, .secs = 4294967296ull + 100, .usecs = 0};
    uint64_t us = 0;
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_OK);
    CHECK_EQ(us, (4294967296ull + 100) * 1000000u);
}

TEST(implausible_times_are_refused)
{
    struct host h = {.present = true, .has_time = true, .secs = 1796428800ull, .usecs = 1000000};
    uint64_t us = 5;
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_IMPLAUSIBLE); /* usecs >= 10^6 */
    h.usecs = 0;
    h.secs = 631152000ull; /* 1990 */
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_IMPLAUSIBLE);
    h.secs = 10413792000ull; /* 2300 */
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_IMPLAUSIBLE);
    h.secs = 946684800ull; /* 2000-01-01 exactly: believed */
    CHECK_EQ(vmw_get_time_us(host_call, &h, &us), VMW_TIME_OK);
    CHECK_EQ(us, 946684800ull * 1000000u);
}

TEST(banner_text)
{
    struct hv_info hv;
    memset(&hv, 0, sizeof hv);
    char text[64];
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "");
    hv.caps = 1u << HV_CAP_VMWARE_BACKDOOR;
    hv.backdoor_version = 6;
    hv.backdoor_type = 4;
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "vmport backdoor: version 6, type Workstation");
    hv.backdoor_type = 9;
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "vmport backdoor: version 6, type 9");
    hv.backdoor_type = 0;
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "vmport backdoor: version 6");
    char small[10];
    hv_format_backdoor(&hv, small, sizeof small);
    CHECK_STR(small, "vmport ba");
}

UNIT_MAIN()
