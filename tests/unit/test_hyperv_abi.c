/* hv/hyperv/hypercall_abi.c against the bits and bytes of the Hyper-V TLFS
 * ("Hypercall Interface"; hypercalls/HvCallPostMessage.md,
 * HvCallSignalEvent.md): golden control words and input blocks written out
 * by hand from the tables, not from the code's own constants. */
#include <stdint.h>
#include <string.h>

#include "hv/hyperv/hypercall_abi.h"
#include "unit.h"

TEST(control_words)
{
    CHECK_EQ(hv_hypercall_control(0x005C, false), 0x000000000000005Cull); /* HvPostMessage */
    CHECK_EQ(hv_hypercall_control(0x005D, true), 0x000000000001005Dull);  /* fast SignalEvent */
    /* rep count 43:32, rep start 59:48 */
    CHECK_EQ(hv_hypercall_control_rep(0x0003, false, 5, 2), 0x0002000500000003ull);
    CHECK_EQ(hv_hypercall_control_rep(0x0003, true, 0xFFF, 0xFFE), 0x0FFE0FFF00010003ull);
    CHECK_EQ(hv_hypercall_control_rep(0x0003, false, 0x1000, 0), 0u); /* count too wide */
    CHECK_EQ(hv_hypercall_control_rep(0x0003, false, 0, 0), 0u);
    CHECK_EQ(hv_hypercall_control_rep(0x0003, false, 4, 4), 0u); /* start past the end */
}

TEST(result_words)
{
    /* status 15:0, reps completed 43:32 */
    CHECK_EQ(hv_hypercall_status(0x0000000300000013ull), 0x13u);
    CHECK_EQ(hv_hypercall_reps_done(0x0000000300000013ull), 3u);
    CHECK_EQ(hv_hypercall_reps_done(0xFFFFF00000000000ull), 0u);
    CHECK_STR(hv_status_name(0x13), "INSUFFICIENT_BUFFERS");
    CHECK_STR(hv_status_name(0x12), "INVALID_CONNECTION_ID");
    CHECK_STR(hv_status_name(0x18), "INVALID_SYNIC_STATE");
    CHECK_STR(hv_status_name(0x0), "SUCCESS");
    CHECK_STR(hv_status_name(0x1), "unknown");
}

TEST(post_message_input_bytes)
{
    struct hv_post_message_input in;
    memset(&in, 0xAA, sizeof in);
    const uint8_t payload[8] = {0x0E, 0, 0, 0, 0, 0, 0, 0}; /* a VMBus header: INITIATE_CONTACT */
    CHECK_EQ(hv_post_message_build(&in, 4, 1, payload, sizeof payload), 0);
    static const uint8_t golden[24] = {
        0x04, 0, 0, 0,             /* ConnectionId @0 */
        0,    0, 0, 0,             /* RsvdZ @4 */
        0x01, 0, 0, 0,             /* MessageType @8 */
        0x08, 0, 0, 0,             /* PayloadSize @12 */
        0x0E, 0, 0, 0, 0, 0, 0, 0, /* Payload @16 */
    };
    CHECK(memcmp(&in, golden, sizeof golden) == 0);
    for (size_t i = sizeof golden; i < sizeof in; i++)
        CHECK_EQ(((uint8_t *)&in)[i], 0); /* the rest of the payload is zeroed */
}

TEST(post_message_refuses_what_the_tlfs_refuses)
{
    struct hv_post_message_input in;
    uint8_t big[241] = {0};
    CHECK_EQ(hv_post_message_build(&in, 1, 1, big, 240), 0);
    CHECK_EQ(in.payload_size, 240u);
    CHECK_EQ(hv_post_message_build(&in, 1, 1, big, 241), -1);
    CHECK_EQ(hv_post_message_build(&in, 0x01000000, 1, big, 1), -1);  /* id above 23:0 */
    CHECK_EQ(hv_post_message_build(&in, 1, 0, big, 1), -1);           /* type 0 */
    CHECK_EQ(hv_post_message_build(&in, 1, 0x80000000u, big, 1), -1); /* hypervisor's types */
}

TEST(signal_event_fast_input)
{
    uint64_t w = 0;
    CHECK(hv_signal_event_input(0x2001, 7, &w));
    CHECK_EQ(w, 0x0000000700002001ull);
    CHECK(!hv_signal_event_input(0x01000000, 0, &w));
}

TEST(guest_os_id_is_open_source_and_nonzero)
{
    uint64_t id = hv_guest_os_id(0x000100, 0);
    CHECK_EQ(id, 0x8000000001000000ull);
    CHECK_EQ(id >> 63, 1u);          /* open source */
    CHECK_EQ((id >> 56) & 0x7F, 0u); /* no OS type allocated */
    /* version 47:16 and build 15:0 stay out of the OS type and id (62:48) */
    CHECK_EQ(hv_guest_os_id(0xFFFFFFFFu, 0xFFFF), 0x8000FFFFFFFFFFFFull);
}

UNIT_MAIN()
