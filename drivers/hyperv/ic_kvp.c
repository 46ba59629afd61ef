/* KVP answers (drivers/hyperv/ic_kvp.h). */
#include "drivers/hyperv/ic_kvp.h"

#include <string.h>

#include "core/unaligned.h"

#define REG_SZ 1u
#define AT_INDEX 4u
#define AT_VALUE_TYPE 8u
#define AT_KEY_SIZE 12u
#define AT_VALUE_SIZE 16u
#define AT_KEY 20u
#define AT_VALUE (AT_KEY + KVP_KEY_BYTES)

/* ASCII to UTF-16LE with its NUL; the byte size, or 0 when it does not fit
 * in room bytes. */
static uint32_t put_utf16(uint8_t *out, uint32_t room, const char *s)
{
    size_t n = strlen(s);
    if (2 * (n + 1) > room)
        return 0;
    memset(out, 0, room);
    for (size_t i = 0; i < n; i++)
        out[2 * i] = (uint8_t)s[i];
    return (uint32_t)(2 * (n + 1));
}

uint32_t ic_kvp_answer(struct ic_message *m, const struct kvp_entry *auto_pool, unsigned n,
                       const char **why)
{
    uint8_t *b = m->body;
    if (m->body_len < 4) {
        *why = "a KVP body without its header";
        return IC_STATUS_FAIL;
    }
    if (b[0] != KVP_OP_ENUMERATE) {
        *why = "a KVP operation other than ENUMERATE";
        return IC_STATUS_FAIL;
    }
    if (m->body_len < KVP_ENUMERATE_BODY) {
        *why = "an ENUMERATE body without room for the answer";
        return IC_STATUS_FAIL;
    }
    uint32_t index = rd32(b + AT_INDEX);
    if (b[1] != KVP_POOL_AUTO || index >= n)
        return KVP_STATUS_NO_MORE;
    uint32_t ks = put_utf16(b + AT_KEY, KVP_KEY_BYTES, auto_pool[index].key);
    uint32_t vs = put_utf16(b + AT_VALUE, KVP_VALUE_BYTES, auto_pool[index].value);
    if (ks == 0 || vs == 0) {
        *why = "a key or value too long";
        return IC_STATUS_FAIL;
    }
    wr32(b + AT_VALUE_TYPE, REG_SZ);
    wr32(b + AT_KEY_SIZE, ks);
    wr32(b + AT_VALUE_SIZE, vs);
    return IC_STATUS_OK;
}
