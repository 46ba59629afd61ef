/* drivers/hyperv/ic_msg.c against IC packets written out byte by byte from
 * Linux include/linux/hyperv.h (vmbuspipe_hdr, icmsg_hdr, icmsg_negotiate,
 * shutdown_msg_data, heartbeat_msg_data, ictimesync_*) with the versions
 * openvmm's host offers (framework 1.0 and 3.0; shutdown 1.0, 3.0, 3.1,
 * 3.2; timesync 4.0). */
#include <stdint.h>
#include <string.h>

#include "drivers/hyperv/ic_kvp.h"
#include "drivers/hyperv/ic_msg.h"
#include "unit.h"

static const struct ic_version fw[] = {{3, 0}, {1, 0}};
static const struct ic_version shutdown_versions[] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};

/* A shutdown service's NEGOTIATE request: 2 framework and 4 message
 * versions. */
static const uint8_t negotiate_request[] = {
    1,  0, 0, 0, 52, 0, 0, 0,                         /* pipe: flags 1, msgsize 20 + 32 */
    1,  0, 0, 0,                                      /* framework 1.0 */
    0,  0,                                            /* msgtype NEGOTIATE */
    1,  0, 0, 0,                                      /* message version 1.0 */
    32, 0,                                            /* icmsgsize: 8 + 6 * 4 */
    0,  0, 0, 0,                                      /* status */
    7,                                                /* transaction id */
    3,                                                /* TRANSACTION | REQUEST */
    0,  0,                                            /* reserved */
    2,  0, 4, 0, 0,  0, 0, 0,                         /* 2 framework, 4 message versions */
    1,  0, 0, 0, 3,  0, 0, 0,                         /* framework 1.0, 3.0 */
    1,  0, 0, 0, 3,  0, 0, 0, 3, 0, 1, 0, 3, 0, 2, 0, /* 1.0 3.0 3.1 3.2 */
};

TEST(negotiate_picks_the_newest_shared_pair_and_answers_in_place)
{
    uint8_t pkt[sizeof negotiate_request];
    memcpy(pkt, negotiate_request, sizeof pkt);
    struct ic_message m;
    const char *why;
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), 0);
    CHECK_EQ(m.type, IC_MSG_NEGOTIATE);
    CHECK_EQ(m.body_len, 32);
    CHECK_EQ(m.transaction_id, 7);
    struct ic_version f, v;
    CHECK_EQ(ic_negotiate(&m, fw, 2, shutdown_versions, 4, &f, &v, &why), 0);
    CHECK(f.major == 3 && f.minor == 0);
    CHECK(v.major == 3 && v.minor == 2);
    ic_respond(pkt, IC_STATUS_OK);
    static const uint8_t answer_tail[] = {
        0, 0, 0, 0, 7, 5, 0, 0, /* status 0, id 7, TRANSACTION | RESPONSE */
        1, 0, 1, 0, 0, 0, 0, 0, /* 1 and 1 */
        3, 0, 0, 0, 3, 0, 2, 0, /* framework 3.0, shutdown 3.2 */
    };
    CHECK(memcmp(pkt + 20, answer_tail, sizeof answer_tail) == 0);
    CHECK(memcmp(pkt, negotiate_request, 20) == 0); /* headers kept */
}

TEST(negotiate_without_a_shared_version)
{
    uint8_t pkt[sizeof negotiate_request];
    memcpy(pkt, negotiate_request, sizeof pkt);
    static const struct ic_version only_v4[] = {{4, 0}};
    struct ic_message m;
    const char *why;
    struct ic_version f, v;
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), 0);
    CHECK_EQ(ic_negotiate(&m, fw, 2, only_v4, 1, &f, &v, &why), -1);
    CHECK_STR(why, "no version in common with the host");
    CHECK(pkt[28] == 0 && pkt[30] == 0); /* counts 0 and 0 */
    /* counts that overrun the body */
    memcpy(pkt, negotiate_request, sizeof pkt);
    pkt[30] = 5; /* 5 message versions: 8 + 4 * 7 > 32 */
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), 0);
    CHECK_EQ(ic_negotiate(&m, fw, 2, shutdown_versions, 4, &f, &v, &why), -1);
    CHECK_STR(why, "version lists longer than the negotiate body");
}

TEST(framing_is_checked)
{
    uint8_t pkt[sizeof negotiate_request];
    struct ic_message m;
    const char *why;
    memcpy(pkt, negotiate_request, sizeof pkt);
    CHECK_EQ(ic_parse(pkt, 27, &m, &why), -1); /* no room for the headers */
    pkt[4] = 53;                               /* msgsize beyond the packet */
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), -1);
    pkt[4] = 19; /* msgsize below the IC header */
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), -1);
    pkt[4] = 52;
    pkt[18] = 33; /* icmsgsize beyond msgsize - 20 */
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), -1);
    pkt[18] = 32;
    pkt[25] = 5; /* a response, not a request */
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), -1);
    CHECK_STR(why, "an IC message that is not a request");
    pkt[25] = 3;
    CHECK_EQ(ic_parse(pkt, sizeof pkt, &m, &why), 0);
}

/* Header for a service message with body_len bytes of body. */
static size_t service(uint8_t *pkt, uint16_t type, uint16_t vmajor, uint16_t body_len)
{
    memset(pkt, 0, 28 + body_len);
    pkt[0] = 1;
    pkt[4] = (uint8_t)(20 + body_len), pkt[5] = (uint8_t)((20 + body_len) >> 8);
    pkt[8] = 3;                /* framework 3.0 */
    pkt[12] = (uint8_t)type;   /* msgtype */
    pkt[14] = (uint8_t)vmajor; /* message version */
    pkt[18] = (uint8_t)body_len, pkt[19] = (uint8_t)(body_len >> 8);
    pkt[25] = 3; /* TRANSACTION | REQUEST */
    return 28 + body_len;
}

TEST(shutdown_heartbeat_and_timesync_bodies)
{
    static uint8_t pkt[28 + 2060];
    struct ic_message m;
    const char *why;
    uint32_t flags = 0;
    size_t len = service(pkt, IC_MSG_SHUTDOWN, 3, 2060);
    pkt[28] = 0x00, pkt[31] = 0x80; /* reason 0x80000000: planned */
    pkt[28 + 8] = 1;                /* flags: force */
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_shutdown_flags(&m, &flags, &why), 0);
    CHECK_EQ(flags, 1u);
    len = service(pkt, IC_MSG_SHUTDOWN, 3, 8);
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_shutdown_flags(&m, &flags, &why), -1);

    len = service(pkt, IC_MSG_HEARTBEAT, 3, 40);
    pkt[28] = 0xFF, pkt[29] = 0x01; /* seq 0x1FF */
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_heartbeat_answer(&m, &why), 0);
    CHECK(pkt[28] == 0x00 && pkt[29] == 0x02); /* 0x200 */
    len = service(pkt, IC_MSG_HEARTBEAT, 3, 7);
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_heartbeat_answer(&m, &why), -1);

    /* timesync v4: 2024-01-01 00:00:00 UTC = Unix 1704067200 s, that is
     * 1704067200 * 10^7 + 116444736000000000 in 100 ns since 1601,
     * 0x01DA3C457689C000 */
    len = service(pkt, IC_MSG_TIMESYNC, 4, 24);
    static const uint8_t t2024[8] = {0x00, 0xC0, 0x89, 0x76, 0x45, 0x3C, 0xDA, 0x01};
    memcpy(pkt + 28, t2024, 8);
    pkt[28 + 16] = IC_TIMESYNC_SYNC;
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    uint64_t ns = 0;
    uint8_t tflags = 0;
    CHECK_EQ(ic_timesync(&m, &ns, &tflags, &why), 0);
    CHECK_EQ(ns, 1704067200ull * 1000000000ull);
    CHECK_EQ(tflags, IC_TIMESYNC_SYNC);
    /* v3: the flags are at 24; a v3 body of 24 bytes is too short */
    len = service(pkt, IC_MSG_TIMESYNC, 3, 24);
    memcpy(pkt + 28, t2024, 8);
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_timesync(&m, &ns, &tflags, &why), -1);
    len = service(pkt, IC_MSG_TIMESYNC, 3, 32);
    memcpy(pkt + 28, t2024, 8);
    pkt[28 + 24] = IC_TIMESYNC_SAMPLE;
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_timesync(&m, &ns, &tflags, &why), 0);
    CHECK_EQ(tflags, IC_TIMESYNC_SAMPLE);
    memset(pkt + 28, 0, 8); /* 1601: before 1970 */
    CHECK_EQ(ic_timesync(&m, &ns, &tflags, &why), -1);
}

/* KVP ENUMERATE (include/uapi/linux/hyperv.h hv_kvp_msg): operation 3,
 * pool 2 (AUTO), index @4, the answer from @8. */
TEST(kvp_enumerates_the_auto_pool)
{
    static const struct kvp_entry pool[] = {{"FullyQualifiedDomainName", "anyvm"},
                                            {"OSName", "anyvm"}};
    static uint8_t pkt[28 + 2580];
    struct ic_message m;
    const char *why;
    size_t len = service(pkt, IC_MSG_KVP, 4, 2580);
    pkt[28] = 3, pkt[29] = 2, pkt[32] = 1; /* ENUMERATE, AUTO, index 1 */
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_kvp_answer(&m, pool, 2, &why), IC_STATUS_OK);
    static const uint8_t sizes[12] = {1, 0, 0, 0, 14, 0, 0, 0, 12, 0, 0, 0}; /* REG_SZ, 14, 12 */
    CHECK(memcmp(pkt + 28 + 8, sizes, 12) == 0);
    static const uint8_t key[14] = {'O', 0, 'S', 0, 'N', 0, 'a', 0, 'm', 0, 'e', 0, 0, 0};
    CHECK(memcmp(pkt + 28 + 20, key, 14) == 0);
    static const uint8_t value[12] = {'a', 0, 'n', 0, 'y', 0, 'v', 0, 'm', 0, 0, 0};
    CHECK(memcmp(pkt + 28 + 532, value, 12) == 0);
    /* past the last index, and any other pool: the enumeration ends */
    pkt[32] = 2;
    CHECK_EQ(ic_kvp_answer(&m, pool, 2, &why), KVP_STATUS_NO_MORE);
    pkt[32] = 0, pkt[29] = 0;
    CHECK_EQ(ic_kvp_answer(&m, pool, 2, &why), KVP_STATUS_NO_MORE);
    /* other operations, and a body without room for the answer */
    pkt[28] = 0; /* GET */
    CHECK_EQ(ic_kvp_answer(&m, pool, 2, &why), IC_STATUS_FAIL);
    len = service(pkt, IC_MSG_KVP, 4, 2579);
    pkt[28] = 3, pkt[29] = 2;
    CHECK_EQ(ic_parse(pkt, len, &m, &why), 0);
    CHECK_EQ(ic_kvp_answer(&m, pool, 2, &why), IC_STATUS_FAIL);
    CHECK_STR(why, "an ENUMERATE body without room for the answer");
}

UNIT_MAIN()
