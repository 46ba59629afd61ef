/* bus/vmbus/vmbus_msg.c and vmbus_version.c against golden bytes written
 * out by hand from the layouts of Linux include/linux/hyperv.h (struct
 * vmbus_channel_*) and openvmm's vmbus_core protocol.rs, and against a
 * small host that answers INITIATE_CONTACT the way openvmm's does (exact
 * version matches only). */
#include <stdint.h>
#include <string.h>

#include "bus/vmbus/vmbus_msg.h"
#include "bus/vmbus/vmbus_version.h"
#include "unit.h"

static uint8_t buf[VMBUS_MSG_MAX];

#define BYTES_ARE(n, len, ...)                                                                     \
    ({                                                                                             \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        (n) == (len) && sizeof want_ <= (len) && memcmp(buf, want_, sizeof want_) == 0;            \
    })

static bool zero_from(size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (buf[i] != 0)
            return false;
    return true;
}

TEST(initiate_contact_v5_names_the_sint)
{
    size_t n = vmbus_msg_initiate_contact(buf, 0x50000, 0, 0xdead000, 0x1000, 0x2000);
    CHECK(BYTES_ARE(n, 40, 0x0E, 0, 0, 0, 0, 0, 0, 0, /* header: type 14 */
                    0, 0, 5, 0,                       /* version 5.0 */
                    0, 0, 0, 0,                       /* target_vcpu */
                    2, 0, 0, 0, 0, 0, 0, 0,           /* msg_sint 2, vtl 0, feature flags 0 */
                    0, 0x10, 0, 0, 0, 0, 0, 0,        /* monitor page 1 */
                    0, 0x20, 0, 0, 0, 0, 0, 0));      /* monitor page 2 */
}

TEST(initiate_contact_win8_names_the_interrupt_page)
{
    size_t n = vmbus_msg_initiate_contact(buf, 0x20004, 1, 0x3000, 0x1000, 0x2000);
    CHECK(BYTES_ARE(n, 40, 0x0E, 0, 0, 0, 0, 0, 0, 0, 4, 0, 2, 0, 1, 0, 0, 0, /* */
                    0, 0x30, 0, 0, 0, 0, 0, 0,                                /* interrupt page */
                    0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0));
}

TEST(small_guest_messages)
{
    CHECK(BYTES_ARE(vmbus_msg_request_offers(buf), 8, 3, 0, 0, 0, 0, 0, 0, 0));
    CHECK(BYTES_ARE(vmbus_msg_unload(buf), 8, 16, 0, 0, 0, 0, 0, 0, 0));
    CHECK(BYTES_ARE(vmbus_msg_close_channel(buf, 0x105), 12, 7, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 0));
    CHECK(BYTES_ARE(vmbus_msg_relid_released(buf, 9), 12, 13, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0));
    CHECK(BYTES_ARE(vmbus_msg_gpadl_teardown(buf, 5, 0xE1E10), 16, 11, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0,
                    0, 0x10, 0x1E, 0x0E, 0));
}

TEST(open_channel_bytes)
{
    memset(buf, 0xAA, sizeof buf);
    size_t n = vmbus_msg_open_channel(buf, 5, 7, 0xE1E10, 0, 4);
    CHECK(BYTES_ARE(n, 148, 5, 0, 0, 0, 0, 0, 0, 0, /* header: type 5 */
                    5, 0, 0, 0,                     /* child_relid */
                    7, 0, 0, 0,                     /* openid */
                    0x10, 0x1E, 0x0E, 0,            /* ring GPADL */
                    0, 0, 0, 0,                     /* target_vp */
                    4, 0, 0, 0));                   /* downstream ring page offset */
    CHECK(zero_from(28, 148));                      /* userdata[120] */
}

TEST(gpadl_of_three_pages_is_one_header)
{
    const uint64_t pfns[3] = {0x100, 0x101, 0x1234567890};
    CHECK_EQ(vmbus_gpadl_messages(3), 1u);
    size_t n = vmbus_msg_gpadl_part(buf, 0, 5, 0xE1E10, pfns, 3);
    CHECK(BYTES_ARE(n, 52, 8, 0, 0, 0, 0, 0, 0, 0, /* header: type 8 */
                    5, 0, 0, 0,                    /* child_relid */
                    0x10, 0x1E, 0x0E, 0,           /* gpadl */
                    32, 0,                         /* range_buflen: 8 + 3 * 8 */
                    1, 0,                          /* rangecount */
                    0, 0x30, 0, 0,                 /* byte_count 3 * 4096 */
                    0, 0, 0, 0,                    /* byte_offset */
                    0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0x90, 0x78, 0x56, 0x34, 0x12, 0,
                    0, 0));
    CHECK_EQ(vmbus_msg_gpadl_part(buf, 1, 5, 0xE1E10, pfns, 3), 0u);
}

TEST(gpadl_splits_26_then_28_per_body)
{
    static uint64_t pfns[100];
    for (unsigned i = 0; i < 100; i++)
        pfns[i] = 0x1000 + i;
    CHECK_EQ(vmbus_gpadl_messages(26), 1u);
    CHECK_EQ(vmbus_gpadl_messages(27), 2u);
    CHECK_EQ(vmbus_gpadl_messages(54), 2u);
    CHECK_EQ(vmbus_gpadl_messages(55), 3u);
    CHECK_EQ(vmbus_gpadl_messages(100), 4u); /* 26 + 28 + 28 + 18 */
    CHECK_EQ(vmbus_gpadl_messages(0), 0u);
    CHECK_EQ(vmbus_gpadl_messages(8191), 0u); /* range_buflen would not fit u16 */
    CHECK_EQ(vmbus_gpadl_messages(8190), 1u + (8190u - 26u + 27u) / 28u);

    size_t n = vmbus_msg_gpadl_part(buf, 0, 5, 0xE1E10, pfns, 100);
    CHECK_EQ(n, 236u); /* 8 + 12 + 8 + 26 * 8 */
    CHECK_EQ(buf[16] | buf[17] << 8, 8 + 8 * 100);
    CHECK_EQ(buf[20] | buf[21] << 8 | buf[22] << 16 | buf[23] << 24, 100 * 4096);
    CHECK_EQ(buf[228], 0x19); /* pfns[25] = 0x1019, the header's last, @28 + 25 * 8 */
    CHECK_EQ(buf[229], 0x10);
    /* the bodies take up the pfns exactly once, in order */
    uint64_t next = 26;
    for (unsigned part = 1; part < 4; part++) {
        n = vmbus_msg_gpadl_part(buf, part, 5, 0xE1E10, pfns, 100);
        size_t count = part < 3 ? 28 : 18;
        CHECK_EQ(n, 16 + 8 * count);
        CHECK(BYTES_ARE(n, n, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x1E, 0x0E, 0));
        for (size_t i = 0; i < count; i++) {
            uint64_t v;
            memcpy(&v, buf + 16 + 8 * i, 8);
            CHECK_EQ(v, 0x1000 + next++);
        }
    }
    CHECK_EQ(next, 100u);
    CHECK_EQ(vmbus_msg_gpadl_part(buf, 4, 5, 0xE1E10, pfns, 100), 0u);
}

/* The shutdown IC's offer as a host would send it. */
static size_t shutdown_offer(uint8_t *m)
{
    memset(m, 0, VMBUS_MSG_MAX);
    static const uint8_t if_type[16] = {0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
                                        0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb};
    m[0] = 1;                          /* OFFERCHANNEL */
    memcpy(m + 8, if_type, 16);        /* if_type @0 */
    m[8 + 16] = 0xF7;                  /* if_instance @16 (first byte) */
    m[8 + 48] = 1;                     /* chn_flags @48 */
    m[8 + 52] = 0xAB;                  /* user_defined @52 */
    m[8 + 176] = 3;                    /* child_relid @176 */
    m[8 + 180] = 9;                    /* monitorid @180 */
    m[8 + 181] = 1;                    /* monitor_allocated @181 */
    m[8 + 182] = 1;                    /* is_dedicated_interrupt @182 */
    m[8 + 184] = 3, m[8 + 185] = 0x20; /* connection_id 0x2003 @184 */
    return 196;
}

TEST(offer_is_parsed_field_by_field)
{
    uint8_t m[VMBUS_MSG_MAX];
    size_t len = shutdown_offer(m);
    struct vmbus_host_msg msg;
    const char *why;
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), 0);
    CHECK_EQ(msg.type, VMBUS_OFFERCHANNEL);
    char text[37];
    vmbus_guid_format(&msg.u.offer.if_type, text);
    CHECK_STR(text, "0e0b6031-5213-4934-818b-38d90ced39db");
    CHECK_EQ(msg.u.offer.if_instance.b[0], 0xF7);
    CHECK_EQ(msg.u.offer.chn_flags, 1);
    CHECK_EQ(msg.u.offer.user_defined[0], 0xAB);
    CHECK_EQ(msg.u.offer.child_relid, 3u);
    CHECK_EQ(msg.u.offer.monitor_id, 9);
    CHECK(msg.u.offer.monitor_allocated);
    CHECK(msg.u.offer.dedicated_interrupt);
    CHECK_EQ(msg.u.offer.connection_id, 0x2003u);
    /* one byte short; longer (a later version's fields) is fine */
    CHECK_EQ(vmbus_msg_parse(m, len - 1, &msg, &why), -1);
    CHECK(why != NULL);
    CHECK_EQ(vmbus_msg_parse(m, len + 4, &msg, &why), 0);
}

TEST(offer_ids_are_checked)
{
    uint8_t m[VMBUS_MSG_MAX];
    struct vmbus_host_msg msg;
    const char *why;
    size_t len = shutdown_offer(m);
    m[8 + 176] = 0; /* relid 0 */
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), -1);
    m[8 + 176] = 0, m[8 + 177] = 8; /* relid 2048 */
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), -1);
    m[8 + 176] = 0xFF, m[8 + 177] = 7; /* relid 2047 */
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), 0);
    m[8 + 187] = 1; /* connection id bit 24 */
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), -1);
    CHECK_STR(why, "offer with a connection id wider than 24 bits");
    m[8 + 187] = 0;
    m[8 + 181] = 2; /* monitor_allocated: a reserved bit */
    CHECK_EQ(vmbus_msg_parse(m, len, &msg, &why), -1);
}

TEST(every_host_message_needs_its_length)
{
    static const struct {
        uint8_t type;
        size_t size;
    } sizes[] = {{1, 196}, {2, 12}, {4, 8}, {6, 20}, {10, 20}, {12, 12}, {15, 16}, {17, 8}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t m[VMBUS_MSG_MAX] = {sizes[i].type};
        m[8] = 1; /* relid 1 / version_supported 1 / gpadl 1 */
        if (sizes[i].type == 1)
            shutdown_offer(m);
        struct vmbus_host_msg msg;
        const char *why;
        CHECK_EQ(vmbus_msg_parse(m, sizes[i].size, &msg, &why), 0);
        CHECK_EQ((unsigned)msg.type, sizes[i].type);
        if (sizes[i].size > 8) {
            CHECK_EQ(vmbus_msg_parse(m, sizes[i].size - 1, &msg, &why), -1);
            CHECK_STR(why, "shorter than its type's size");
        }
    }
}

TEST(guest_messages_and_nonsense_are_refused)
{
    uint8_t m[VMBUS_MSG_MAX] = {0};
    struct vmbus_host_msg msg;
    const char *why;
    for (uint8_t t = 0; t < 40; t++) {
        m[0] = t;
        bool host_sends =
            t == 1 || t == 2 || t == 4 || t == 6 || t == 10 || t == 12 || t == 15 || t == 17;
        if (!host_sends)
            CHECK_EQ(vmbus_msg_parse(m, VMBUS_MSG_MAX, &msg, &why), -1);
    }
    m[0] = 4;
    m[1] = 1; /* type 0x104 */
    CHECK_EQ(vmbus_msg_parse(m, 8, &msg, &why), -1);
    m[1] = 0;
    CHECK_EQ(vmbus_msg_parse(m, 7, &msg, &why), -1);
    CHECK_EQ(vmbus_msg_parse(m, 241, &msg, &why), -1);
    CHECK_EQ(vmbus_msg_parse(m, 8, &msg, &why), 0);
}

TEST(relids_and_flags_of_replies_are_checked)
{
    uint8_t m[VMBUS_MSG_MAX] = {6}; /* OPENCHANNEL_RESULT with relid 0 */
    struct vmbus_host_msg msg;
    const char *why;
    CHECK_EQ(vmbus_msg_parse(m, 20, &msg, &why), -1);
    m[8] = 5, m[12] = 7, m[16] = 0x01, m[19] = 0xC0; /* relid 5, openid 7, status */
    CHECK_EQ(vmbus_msg_parse(m, 20, &msg, &why), 0);
    CHECK_EQ(msg.u.open_result.relid, 5u);
    CHECK_EQ(msg.u.open_result.openid, 7u);
    CHECK_EQ(msg.u.open_result.status, 0xC0000001u);
    m[0] = 2, m[8] = 0, m[9] = 8; /* RESCIND of relid 2048 */
    CHECK_EQ(vmbus_msg_parse(m, 12, &msg, &why), -1);
    m[0] = 15, m[8] = 2; /* VERSION_RESPONSE, version_supported 2 */
    CHECK_EQ(vmbus_msg_parse(m, 16, &msg, &why), -1);
    m[8] = 1, m[9] = 0, m[12] = 0x01, m[13] = 0x20; /* supported, state 0, conn id 0x2001 */
    CHECK_EQ(vmbus_msg_parse(m, 16, &msg, &why), 0);
    CHECK(msg.u.version.supported);
    CHECK_EQ(msg.u.version.msg_conn_id, 0x2001u);
    CHECK(!msg.u.version.has_features);
    m[16] = 0x0F, m[19] = 0; /* supported_features (V6) */
    CHECK_EQ(vmbus_msg_parse(m, 20, &msg, &why), 0);
    CHECK(msg.u.version.has_features);
    CHECK_EQ(msg.u.version.supported_features, 0x0Fu);
}

/* A host that accepts exactly the versions in its list (openvmm's rule). */
struct version_host {
    const uint32_t *versions;
    unsigned n;
    uint8_t state;
    uint32_t conn_id;
    unsigned contacts;
    uint32_t last_target;
};

static struct vmbus_version_response version_host_answer(struct version_host *h, uint32_t offered)
{
    h->contacts++;
    h->last_target = vmbus_contact_connection_id(offered);
    struct vmbus_version_response r = {0};
    for (unsigned i = 0; i < h->n; i++)
        if (h->versions[i] == offered) {
            r.supported = true;
            r.connection_state = h->state;
            r.msg_conn_id = offered >= 0x50000 ? h->conn_id : offered;
        }
    return r;
}

static enum vmbus_negotiation_step negotiate(struct version_host *h, struct vmbus_negotiation *n,
                                             const char **why)
{
    vmbus_negotiation_start(n);
    enum vmbus_negotiation_step s = vmbus_negotiation_next(n);
    *why = NULL;
    while (s == VMBUS_NEGOTIATION_OFFER) {
        struct vmbus_version_response r = version_host_answer(h, n->offered);
        s = vmbus_negotiation_answer(n, &r, why);
    }
    return s;
}

TEST(negotiation_takes_the_newest_shared_version)
{
    static const uint32_t old_host[] = {0x40000, 0x30000};
    struct version_host h = {old_host, 2, 0, 0, 0, 0};
    struct vmbus_negotiation n;
    const char *why;
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_DONE);
    CHECK_EQ(n.version, 0x40000u);
    CHECK_EQ(n.msg_conn_id, 1u); /* below V5: always connection id 1 */
    CHECK_EQ(h.contacts, 7u);    /* V6, V5.3, V5.2, V5.1, V5, V4.1, WIN10 */
    CHECK_EQ(h.last_target, 1u);

    static const uint32_t new_host[] = {0x50002, 0x50000, 0x40000};
    h = (struct version_host){new_host, 3, 0, 0x2001, 0, 0};
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_DONE);
    CHECK_EQ(n.version, 0x50002u);
    CHECK_EQ(n.msg_conn_id, 0x2001u);
    CHECK_EQ(h.contacts, 3u);
    CHECK_EQ(h.last_target, 4u); /* from V5: INITIATE_CONTACT to id 4 */
}

TEST(negotiation_fails_cleanly)
{
    static const uint32_t ancient[] = {0x10001};
    struct version_host h = {ancient, 1, 0, 0, 0, 0};
    struct vmbus_negotiation n;
    const char *why;
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_FAILED);
    CHECK_EQ(h.contacts, vmbus_version_count);
    CHECK(!n.done);

    static const uint32_t v6[] = {0x60000};
    h = (struct version_host){v6, 1, 2, 0x2001, 0, 0}; /* connection_state 2: failed */
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_FAILED);
    CHECK_STR(why, "the host refused the connection");
    h = (struct version_host){v6, 1, 0, 0, 0, 0}; /* V6 without a connection id */
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_FAILED);
    h = (struct version_host){v6, 1, 0, 0x1000000, 0, 0};
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_FAILED);

    /* an answer after agreement, or before any offer */
    struct vmbus_version_response r = {.supported = true, .msg_conn_id = 1};
    vmbus_negotiation_start(&n);
    CHECK_EQ(vmbus_negotiation_answer(&n, &r, &why), VMBUS_NEGOTIATION_FAILED);
    h = (struct version_host){v6, 1, 0, 0x2001, 0, 0};
    CHECK_EQ(negotiate(&h, &n, &why), VMBUS_NEGOTIATION_DONE);
    CHECK_EQ(vmbus_negotiation_answer(&n, &r, &why), VMBUS_NEGOTIATION_FAILED);
    CHECK_EQ(n.version, 0x60000u);
}

UNIT_MAIN()
