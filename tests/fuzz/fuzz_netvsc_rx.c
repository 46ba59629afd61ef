/* libFuzzer harness: netvsc's parsers of what the host sends
 * (drivers/netvsc/nvsp.c, rndis.c). The first input byte picks one:
 *   0: a VMBus transfer-page packet (the rest: descriptor, pageset header,
 *      ranges, NVSP message) against a 64 KiB receive buffer, offset8 taken
 *      from the descriptor;
 *   1: an RNDIS PACKET_MSG in a receive section (the rest);
 *   2: an RNDIS control message (the rest);
 *   3: an NVSP completion (byte 1 picks the type the request wants, the
 *      rest is the message) for a 64 KiB buffer.
 * Invariants: an accepted transfer's ranges are non-empty and inside the
 * receive buffer and fit before the payload; an accepted packet's frame
 * and an accepted reply's information lie inside the message (ASan also
 * checks every read against the exact-size copy); receive-buffer sections
 * accepted fit the buffer. Every input's tail is also framed with
 * rndis_packet_header and parsed back: the same frame and checksum value.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_netvsc_rx.c drivers/netvsc/nvsp.c drivers/netvsc/rndis.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/netvsc/nvsp.h"
#include "drivers/netvsc/rndis.h"
#include "tests/fuzz/fuzz_input.h"

#define RX_BYTES 65536u

static void transfer(const uint8_t *pkt, size_t n)
{
    size_t offset = n >= 4 ? (size_t)(pkt[2] | pkt[3] << 8) * 8 : 0;
    struct nvsp_xfer x;
    const char *why = NULL;
    if (nvsp_parse_xfer(pkt, n, offset, RX_BYTES, &x, &why) != 0) {
        BROKEN_IF(why == NULL);
        return;
    }
    BROKEN_IF(x.count == 0 || 24 + (uint64_t)x.count * 8 > offset || offset + 16 > n);
    BROKEN_IF(x.channel > 1);
    for (uint32_t i = 0; i < x.count; i++) {
        uint32_t off, len;
        nvsp_xfer_range(&x, i, &off, &len);
        BROKEN_IF(len == 0 || (uint64_t)off + len > RX_BYTES);
    }
}

static void packet(const uint8_t *msg, size_t n)
{
    struct rndis_packet p;
    const char *why = NULL;
    if (rndis_parse_packet(msg, (uint32_t)n, &p, &why) != 0) {
        BROKEN_IF(why == NULL);
        return;
    }
    BROKEN_IF(p.frame < msg + 44 || p.frame_len < 14 || p.frame + p.frame_len > msg + n);
    volatile uint8_t last = p.frame[p.frame_len - 1]; /* ASan: inside the copy */
    (void)last;
}

static void control(const uint8_t *msg, size_t n)
{
    struct rndis_reply r;
    const char *why = NULL;
    if (rndis_parse_control(msg, (uint32_t)n, &r, &why) != 0) {
        BROKEN_IF(why == NULL);
        return;
    }
    BROKEN_IF(r.info_len != 0 && (r.info < msg + 8 || r.info + r.info_len > msg + n));
    BROKEN_IF(r.info_len == 0 && r.info != NULL);
}

static void completion(uint8_t pick, const uint8_t *msg, size_t n)
{
    static const uint32_t types[] = {NVSP_INIT_COMPLETE, NVSP_SEND_RECV_BUF_COMPLETE,
                                     NVSP_SEND_SEND_BUF_COMPLETE, NVSP_SEND_RNDIS_PKT_COMPLETE};
    uint32_t want = types[pick % 4];
    struct nvsp_completion c;
    const char *why = NULL;
    if (nvsp_parse_completion(msg, n, want, RX_BYTES, &c, &why) != 0) {
        BROKEN_IF(why == NULL);
        return;
    }
    BROKEN_IF(c.type != want);
    if (c.status == NVSP_STATUS_SUCCESS && want == NVSP_SEND_RECV_BUF_COMPLETE)
        BROKEN_IF(c.sub_alloc_size < NVSP_MIN_SECTION ||
                  (uint64_t)c.sub_alloc_size * c.num_sub_allocs > RX_BYTES);
    if (c.status == NVSP_STATUS_SUCCESS && want == NVSP_SEND_SEND_BUF_COMPLETE)
        BROKEN_IF(c.section_size < NVSP_MIN_SECTION || c.section_size > RX_BYTES ||
                  c.section_size % 4);
}

/* The guest's own framing parses back to what it framed. */
static void round_trip(const uint8_t *frame, size_t n, uint32_t csum)
{
    if (n < 14 || n > 9000)
        return;
    uint8_t *m = malloc(RNDIS_PACKET_HEADER + RNDIS_CSUM_PPI_BYTES + n);
    size_t head = rndis_packet_header(m, n, csum);
    memcpy(m + head, frame, n);
    struct rndis_packet p;
    const char *why;
    BROKEN_IF(rndis_parse_packet(m, (uint32_t)(head + n), &p, &why) != 0);
    BROKEN_IF(p.frame_len != n || memcmp(p.frame, frame, n) != 0);
    BROKEN_IF(p.has_csum != (csum != 0) || (csum != 0 && p.csum != csum));
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* an exact-size copy, so ASan sees any read past the message */
    size_t n = size - 1;
    uint8_t *msg = malloc(n);
    memcpy(msg, data + 1, n);
    switch (data[0] % 4) {
    case 0:
        transfer(msg, n);
        break;
    case 1:
        packet(msg, n);
        break;
    case 2:
        control(msg, n);
        break;
    default:
        completion(msg[0], msg + 1, n - 1);
        break;
    }
    uint32_t csum = 0;
    memcpy(&csum, data, size < 4 ? size : 4);
    round_trip(msg, n, csum);
    free(msg);
    return 0;
}
