/* The generation-bit rings of vmxnet3: see vmxnet3_ring.h. Descriptor
 * layouts are in vmxnet3_regs.h. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "drivers/vmxnet3/vmxnet3_regs.h"
#include "drivers/vmxnet3/vmxnet3_ring.h"
#include "klib/format.h"

#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)

#define DWORDS (VMXNET3_DESC_BYTES / 4)
#define TCD_TYPE_SHIFT 24
#define TCD_TYPE_MASK 0x7Fu
#define TCD_TYPE_TX 0 /* VMXNET3_CDTYPE_TXCOMP */

static volatile uint32_t *desc(volatile uint32_t *ring, unsigned i)
{
    return ring + (size_t)i * DWORDS;
}

static void clear(volatile uint32_t *ring, unsigned n)
{
    for (unsigned i = 0; i < n * DWORDS; i++)
        ring[i] = 0;
}

/* ---- transmit ---- */

void vmx_tx_init(struct vmx_tx *t, void *ring, void *comp, uint16_t size, uint16_t comp_size)
{
    memset(t, 0, sizeof *t);
    t->ring = ring;
    t->comp = comp;
    t->size = size;
    t->comp_size = comp_size;
    t->fill_gen = true;
    t->comp_gen = true;
    clear(t->ring, size);
    clear(t->comp, comp_size);
}

/* Records why the device is no longer trusted; every later call fails. */
static int violation(bool *broken, char *error, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int violation(bool *broken, char *error, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(error, size, fmt, ap);
    va_end(ap);
    *broken = true;
    return -1;
}
#define tx_violation(t, ...) violation(&(t)->broken, (t)->error, sizeof(t)->error, __VA_ARGS__)
#define rx_violation(r, ...) violation(&(r)->broken, (r)->error, sizeof(r)->error, __VA_ARGS__)

int vmx_tx_post(struct vmx_tx *t, uint64_t addr, uint32_t len, const struct vmx_tx_csum *csum)
{
    if (t->broken || t->in_flight == t->size || len == 0 || len > VMXNET3_TX_BUF_MAX)
        return -1;
    /* Never more in flight than completions can report. */
    if (t->in_flight == t->comp_size)
        return -1;
    unsigned i = t->fill;
    volatile uint32_t *d = desc(t->ring, i);
    uint32_t gen = t->fill_gen ? VMXNET3_TXD_GEN : 0;
    uint32_t dw2 = len & VMXNET3_TXD_LEN_MASK; /* 16384 is written as 0 */
    uint32_t dw3 = VMXNET3_TXD_EOP | VMXNET3_TXD_CQ;
    if (csum) {
        dw2 |= (uint32_t)csum->offset << VMXNET3_TXD_MSSCOF_SHIFT;
        dw3 |= (csum->l4_start & VMXNET3_TXD_HLEN_MASK) | VMXNET3_OM_CSUM << VMXNET3_TXD_OM_SHIFT;
    }
    d[0] = (uint32_t)addr;
    d[1] = (uint32_t)(addr >> 32);
    d[2] = dw2 | (gen ^ VMXNET3_TXD_GEN); /* still the device's: not yet valid */
    d[3] = dw3;
    /* The descriptor is complete before its generation hands it over. */
    fence_release();
    d[2] = dw2 | gen;
    t->in_flight++;
    if (++t->fill == t->size) {
        t->fill = 0;
        t->fill_gen = !t->fill_gen;
    }
    return (int)i;
}

int vmx_tx_reap(struct vmx_tx *t, unsigned *index)
{
    if (t->broken)
        return -1;
    volatile uint32_t *c = desc(t->comp, t->comp_next);
    uint32_t dw3 = c[3];
    if (((dw3 & VMXNET3_CD_GEN) != 0) != t->comp_gen)
        return 0;
    fence_acquire(); /* the body is read only after its generation */
    uint32_t dw0 = c[0];
    dw3 = c[3];
    unsigned idx = dw0 & VMXNET3_TCD_IDX_MASK;
    unsigned type = (dw3 >> TCD_TYPE_SHIFT) & TCD_TYPE_MASK;
    if (type != TCD_TYPE_TX)
        return tx_violation(t, "completion %u has type %u, not a transmit completion", t->comp_next,
                            type);
    if (t->in_flight == 0)
        return tx_violation(t, "completion for descriptor %u with nothing in flight", idx);
    if (idx >= t->size)
        return tx_violation(t, "completion names descriptor %u of a %u-entry ring", idx, t->size);
    if (idx != t->done)
        return tx_violation(t, "completion names descriptor %u, descriptor %u was due", idx,
                            t->done);
    *index = idx;
    t->in_flight--;
    if (++t->done == t->size)
        t->done = 0;
    if (++t->comp_next == t->comp_size) {
        t->comp_next = 0;
        t->comp_gen = !t->comp_gen;
    }
    return 1;
}

/* ---- receive ---- */

void vmx_rx_init(struct vmx_rx *r, void *ring, void *comp, uint16_t size, uint16_t comp_size,
                 uint32_t buf_len, uint16_t qid)
{
    memset(r, 0, sizeof *r);
    r->ring = ring;
    r->comp = comp;
    r->size = size;
    r->comp_size = comp_size;
    r->buf_len = buf_len;
    r->qid = qid;
    r->fill_gen = true;
    r->comp_gen = true;
    clear(r->ring, size);
    clear(r->comp, comp_size);
}

int vmx_rx_post(struct vmx_rx *r, uint64_t addr)
{
    if (r->broken || r->posted == r->size || r->posted == r->comp_size)
        return -1;
    unsigned i = r->fill;
    volatile uint32_t *d = desc(r->ring, i);
    uint32_t dw2 = r->buf_len & VMXNET3_RXD_LEN_MASK; /* btype 0: a head buffer */
    d[0] = (uint32_t)addr;
    d[1] = (uint32_t)(addr >> 32);
    d[3] = 0;
    fence_release();
    d[2] = dw2 | (r->fill_gen ? VMXNET3_RXD_GEN : 0);
    r->posted++;
    if (++r->fill == r->size) {
        r->fill = 0;
        r->fill_gen = !r->fill_gen;
    }
    return (int)i;
}

int vmx_rx_next(struct vmx_rx *r, struct vmx_rx_frame *f)
{
    if (r->broken)
        return -1;
    volatile uint32_t *c = desc(r->comp, r->comp_next);
    if (((c[3] & VMXNET3_CD_GEN) != 0) != r->comp_gen)
        return 0;
    fence_acquire();
    uint32_t dw0 = c[0], dw2 = c[2];
    unsigned idx = dw0 & VMXNET3_RCD_IDX_MASK;
    unsigned rqid = (dw0 >> VMXNET3_RCD_RQID_SHIFT) & VMXNET3_RCD_RQID_MASK;
    uint32_t len = dw2 & VMXNET3_RCD_LEN_MASK;
    if (rqid != r->qid)
        return rx_violation(r, "completion names ring id %u; only %u has buffers", rqid, r->qid);
    if (r->posted == 0)
        return rx_violation(r, "completion for descriptor %u with no buffer posted", idx);
    if (idx >= r->size)
        return rx_violation(r, "completion names descriptor %u of a %u-entry ring", idx, r->size);
    if (idx != r->next)
        return rx_violation(r, "completion names descriptor %u, descriptor %u was due", idx,
                            r->next);
    if (!(dw0 & VMXNET3_RCD_SOP) || !(dw0 & VMXNET3_RCD_EOP))
        return rx_violation(r, "frame marked sop %u eop %u, but each frame fits one buffer",
                            !!(dw0 & VMXNET3_RCD_SOP), !!(dw0 & VMXNET3_RCD_EOP));
    if (len > r->buf_len)
        return rx_violation(r, "length %u is larger than the %u-byte buffer", len, r->buf_len);
    f->index = idx;
    f->len = len;
    f->error = (dw2 & VMXNET3_RCD_ERR) || len == 0;
    r->posted--;
    if (++r->next == r->size)
        r->next = 0;
    if (++r->comp_next == r->comp_size) {
        r->comp_next = 0;
        r->comp_gen = !r->comp_gen;
    }
    return 1;
}

uint32_t vmx_pick_version(uint32_t offered, unsigned known)
{
    for (unsigned n = known; n-- > 0;)
        if (n < 32 && (offered & (1u << n)))
            return 1u << n;
    return 0;
}
