/* The key-value-pair (KVP) integration service's answers, as pure logic.
 *
 * Layout (Linux include/uapi/linux/hyperv.h, struct hv_kvp_msg and its
 * members): the IC body starts with hv_kvp_hdr (operation u8 @0, pool u8
 * @1, pad u16 @2); an ENUMERATE request carries index u32 @4 and the
 * answer's hv_kvp_exchg_msg_value @8: value_type u32 @8 (1 REG_SZ),
 * key_size u32 @12 and value_size u32 @16 in bytes with the terminating
 * NUL, key @20 (512 bytes) and value @532 (2048 bytes), both UTF-16LE.
 * Operations: GET 0, SET 1, DELETE 2, ENUMERATE 3, GET_IP_INFO 4,
 * SET_IP_INFO 5; pools: EXTERNAL 0, GUEST 1, AUTO 2, AUTO_EXTERNAL 3,
 * AUTO_INTERNAL 4. The host enumerates a pool by index until the guest
 * answers status HV_S_CONT (Linux drivers/hv/hv_kvp.c, kvp_respond_to_host).
 * anyvm answers the AUTO pool (the guest's own facts: its name, OS) and
 * holds nothing in the others. */
#ifndef DRIVERS_HYPERV_IC_KVP_H
#define DRIVERS_HYPERV_IC_KVP_H

#include <stdint.h>

#include "drivers/hyperv/ic_msg.h"

#define KVP_OP_ENUMERATE 3u
#define KVP_POOL_AUTO 2u
#define KVP_STATUS_NO_MORE 0x80070103u /* HV_S_CONT: the enumeration ends */
#define KVP_ENUMERATE_BODY 2580u       /* 8 + 12 + 512 + 2048 */
#define KVP_KEY_BYTES 512u
#define KVP_VALUE_BYTES 2048u

struct kvp_entry {
    const char *key, *value; /* ASCII */
};

/* Answers the KVP request m in place from the AUTO pool's entries; returns
 * the IC status (IC_STATUS_OK, KVP_STATUS_NO_MORE, or IC_STATUS_FAIL with
 * *why). */
uint32_t ic_kvp_answer(struct ic_message *m, const struct kvp_entry *auto_pool, unsigned n,
                       const char **why);

#endif
