/* The driver shared area and the queue descriptors of vmxnet3 (struct
 * Vmxnet3_DriverShared, Vmxnet3_TxQueueDesc, Vmxnet3_RxQueueDesc; offsets in
 * vmxnet3_regs.h), and where each piece sits in the driver's one control
 * allocation. Pure: the host tests check the bytes against the offsets the
 * header gives. */
#include <string.h>

#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

void vmx_layout(struct vmx_layout *l)
{
    size_t at = 0;
    l->shared = at;
    at = align_up(at + VMXNET3_SHARED_BYTES, VMXNET3_QDESC_ALIGN);
    l->qdesc = at;
    at = align_up(at + 2 * VMXNET3_QDESC_BYTES, VMXNET3_RING_ALIGN);
    l->tx_ring = at;
    at = align_up(at + VMX_TX_RING * VMXNET3_DESC_BYTES, VMXNET3_RING_ALIGN);
    l->tx_data = at;
    at = align_up(at + VMX_TX_RING * VMXNET3_TXDATA_DESC_BYTES, VMXNET3_RING_ALIGN);
    l->tx_comp = at;
    at = align_up(at + VMX_TX_RING * VMXNET3_DESC_BYTES, VMXNET3_RING_ALIGN);
    l->rx_ring0 = at;
    at = align_up(at + VMX_RX_RING * VMXNET3_DESC_BYTES, VMXNET3_RING_ALIGN);
    l->rx_ring1 = at;
    at = align_up(at + VMX_RX_RING1 * VMXNET3_DESC_BYTES, VMXNET3_RING_ALIGN);
    l->rx_comp = at;
    at += (VMX_RX_RING + VMX_RX_RING1) * VMXNET3_DESC_BYTES;
    l->bytes = at;
}

static void put8(uint8_t *p, size_t off, uint8_t v)
{
    p[off] = v;
}
static void put16(uint8_t *p, size_t off, uint16_t v)
{
    memcpy(p + off, &v, sizeof v);
}
static void put32(uint8_t *p, size_t off, uint32_t v)
{
    memcpy(p + off, &v, sizeof v);
}
static void put64(uint8_t *p, size_t off, uint64_t v)
{
    memcpy(p + off, &v, sizeof v);
}

void vmx_shared_fill(uint8_t *s, uint8_t *q, const struct vmx_shared_config *c)
{
    put32(s, VMXNET3_DS_MAGIC, VMXNET3_REV1_MAGIC);
    put32(s, VMXNET3_DS_DRIVER_VERSION, 1);
    put32(s, VMXNET3_DS_GOS,
          VMXNET3_GOS_BITS_64 | VMXNET3_GOS_TYPE_LINUX << VMXNET3_GOS_TYPE_SHIFT);
    put32(s, VMXNET3_DS_REV_SUPPORT, c->revision);
    put32(s, VMXNET3_DS_UPT_SUPPORT, c->upt);
    put64(s, VMXNET3_DS_UPT_FEATURES, 0); /* no receive checksum, RSS, VLAN strip or LRO */
    put64(s, VMXNET3_DS_QUEUE_DESC_PA, c->qdesc_pa);
    put32(s, VMXNET3_DS_QUEUE_DESC_LEN, 2 * VMXNET3_QDESC_BYTES);
    put32(s, VMXNET3_DS_MTU, c->mtu);
    put16(s, VMXNET3_DS_MAX_RX_SG, 1); /* a frame is one buffer */
    put8(s, VMXNET3_DS_NUM_TX_QUEUES, 1);
    put8(s, VMXNET3_DS_NUM_RX_QUEUES, 1);
    put8(s, VMXNET3_DS_AUTO_MASK, c->auto_mask);
    put8(s, VMXNET3_DS_NUM_INTRS, c->num_intrs);
    put8(s, VMXNET3_DS_EVENT_INTR, c->event_intr);
    /* modLevels stay 0 (no moderation); intrCtrl 0: interrupts enabled. */
    put32(s, VMXNET3_DS_RX_MODE, VMXNET3_RXM_UCAST | VMXNET3_RXM_BCAST);
    put16(s, VMXNET3_DS_MF_TABLE_LEN, 0);
    put64(s, VMXNET3_DS_MF_TABLE_PA, 0);

    uint8_t *t = q;
    put64(t, VMXNET3_TQ_RING_PA, c->tx_ring_pa);
    /* A data ring as big as the transmit ring, as Linux always gives one
     * (vmxnet3_tq_create); frames never use it here (every descriptor
     * points at a buffer of ours) and QEMU ignores it. */
    put64(t, VMXNET3_TQ_DATA_PA, c->tx_data_pa);
    put64(t, VMXNET3_TQ_COMP_PA, c->tx_comp_pa);
    put32(t, VMXNET3_TQ_RING_SIZE, c->tx_size);
    put32(t, VMXNET3_TQ_DATA_SIZE, c->tx_size);
    put32(t, VMXNET3_TQ_COMP_SIZE, c->tx_comp_size);
    put8(t, VMXNET3_TQ_INTR_IDX, c->tx_intr);

    uint8_t *r = q + VMXNET3_QDESC_BYTES;
    put64(r, VMXNET3_RQ_RING0_PA, c->rx_ring0_pa);
    put64(r, VMXNET3_RQ_RING1_PA, c->rx_ring1_pa);
    put64(r, VMXNET3_RQ_COMP_PA, c->rx_comp_pa);
    put32(r, VMXNET3_RQ_RING0_SIZE, c->rx0_size);
    put32(r, VMXNET3_RQ_RING1_SIZE, c->rx1_size);
    put32(r, VMXNET3_RQ_COMP_SIZE, c->rx_comp_size);
    put8(r, VMXNET3_RQ_INTR_IDX, c->rx_intr);
}
