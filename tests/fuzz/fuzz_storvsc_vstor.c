/* libFuzzer harness: the storvsc driver's parsers of what the host sends
 * (drivers/storvsc/vstor.c). Input: byte 0 bit 0 = a WIN8 host (sense area
 * 0x14, else 0x12) and bit 1 = the request was 48 bytes (else 64); bytes
 * 1-4 = the data bytes the request asked for (big-endian); the rest = the
 * completion's vstor_packet. Invariants: an accepted completion is at least
 * as long as the request and says COMPLETE_IO; an accepted SRB moves no
 * more data than asked and carries no more sense than the request's area,
 * and its sense lies inside the packet (ASan checks every read of the
 * exact-size copy).
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_storvsc_vstor.c drivers/storvsc/vstor.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/storvsc/vstor.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t mode = (uint8_t)fuzz_take(&in, 1);
    uint32_t asked = fuzz_take(&in, 4);
    uint8_t sense_max = (mode & 1) ? VSTOR_SENSE_BYTES : VSTOR_SENSE_BYTES_OLD;
    size_t sent = (mode & 2) ? VSTOR_PACKET_BYTES_OLD : VSTOR_PACKET_BYTES;
    uint8_t *pkt = malloc(in.n ? in.n : 1);
    memcpy(pkt, in.p, in.n);
    size_t len = in.n;
    struct vstor_completion c;
    const char *why = NULL;
    if (vstor_parse_completion(pkt, len, sent, &c, &why) != 0) {
        BROKEN_IF(why == NULL);
        BROKEN_IF(len >= sent && c.op == VSTOR_COMPLETE_IO);
        free(pkt);
        return 0;
    }
    BROKEN_IF(len < sent || c.op != VSTOR_COMPLETE_IO);
    if (vstor_parse_srb(pkt, len, asked, sense_max, &c, &why) == 0) {
        BROKEN_IF(c.data_len > asked || c.sense_len > sense_max);
        BROKEN_IF(c.sense < pkt || c.sense + c.sense_len > pkt + len);
        volatile uint8_t sum = 0;
        for (unsigned i = 0; i < c.sense_len; i++)
            sum += c.sense[i];
        (void)sum;
    } else {
        BROKEN_IF(why == NULL);
    }
    struct vstor_properties props;
    if (len >= 36)
        vstor_parse_properties(pkt, &props);
    free(pkt);
    return 0;
}
