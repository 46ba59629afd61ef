/* The e1000 driver: Intel 82540EM and 82545EM (8254x, [SDM]) and 82574L
 * ([82574]) behind the netdev class, with legacy receive descriptors, one
 * receive and one transmit ring (ring.h), TCP/UDP checksum insertion on
 * transmit, and the interrupt the bus offers (irq.c). Everything but
 * acknowledging runs from the event loop (core/event.h): the work reads
 * the interrupt causes, follows the link, reaps the transmit ring, takes
 * the received frames and writes the tails once per pass.
 *
 * Received checksums are verified by the device (RXCSUM) for TCP/UDP and
 * IPv4 headers only, frame by frame: the netdev class can only say "every
 * received frame is verified" (NETDEV_FEATURE_RX_CSUM), which would be
 * untrue for ICMP, fragments or IPv6, so it is not claimed and the device's
 * verdicts are counted (the stack checks again).
 *
 * Every value the device writes is untrusted: ring.h's consumer breaks the
 * ring on malformed descriptors, head registers are range-checked, and a
 * broken device is stopped (its DMA too) while the kernel runs on. */
#include <stdarg.h>
#include <stdlib.h>

#include "bus/pci/pci_regs.h"
#include "core/dma.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/e1000/e1000.h"
#include "klib/format.h"

#define RX_COUNT 128 /* descriptors: RDLEN 2 KiB; buffers 256 KiB */
#define TX_COUNT 128
#define DESC_ALIGN 128 /* ring base alignment ([SDM] ch. 3: 16 bytes; a line is kinder) */
#define POOL_ALIGN 4096
#define LOG_LIMIT 10
/* A flood must not hold the loop: at most this many frames per pass; the
 * rest on the next pass, after timers and other devices. */
#define RX_BUDGET (2 * RX_COUNT)
/* At exit the device gets this long to send what was queued. */
#define TX_FLUSH_LIMIT_NS 1000000000ull
#define ETH_MTU 1500
/* Descriptors queued before the tail is written anyway. */
#define TX_BATCH 16

/* The devices this driver has bound, to find a device's state from its
 * struct pci_dev at exit and removal. */
static struct e1000 *bound;

static struct e1000 *find(const struct pci_dev *d)
{
    for (struct e1000 *e = bound; e; e = e->next)
        if (e->pci == d)
            return e;
    return NULL;
}

static void forget(struct e1000 *e)
{
    for (struct e1000 **p = &bound; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            return;
        }
}

static const char *ename(const struct e1000 *e)
{
    return e->nd.name[0] ? e->nd.name : e->pci->dev.name;
}

static void note(struct e1000 *e, const char *what)
{
    if (e->logged < LOG_LIMIT) {
        e->logged++;
        kprintf("e1000 %s: %s%s\n", ename(e), what,
                e->logged == LOG_LIMIT ? " (further messages suppressed)" : "");
    }
}

/* Bus mastering off: whatever the device still believes, it can no longer
 * read or write memory. */
static void stop_dma(struct e1000 *e)
{
    uint16_t cmd = pci_read16(e->pci, PCI_COMMAND);
    pci_write16(e->pci, PCI_COMMAND, cmd & (uint16_t)~PCI_COMMAND_MASTER);
}

static void free_memory(struct e1000 *e)
{
    dma_free(e->rx_desc_mem, RX_COUNT * sizeof(struct e1000_rx_desc));
    dma_free(e->tx_desc_mem, TX_COUNT * sizeof(struct e1000_tx_desc));
    dma_free(e->rx_pool, (size_t)RX_COUNT * E1000_BUF_SIZE);
    dma_free(e->tx_pool, (size_t)TX_COUNT * E1000_BUF_SIZE);
    e->rx_desc_mem = e->tx_desc_mem = e->rx_pool = e->tx_pool = NULL;
}

void e1000_fail(struct e1000 *e, const char *fmt, ...)
{
    if (e->broken)
        return;
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    e->broken = true;
    e1000_stop(e);
    stop_dma(e);
    /* Nothing of the device is used from here on (every path checks
     * broken first), and it can no longer reach memory: its interrupt,
     * work and memory go now. The netdev stays registered, its link down,
     * transmit refused: the class and its users hold pointers to it. */
    e1000_irq_teardown(e);
    work_cancel(&e->work);
    work_cancel(&e->tx_flush);
    free_memory(e);
    device_disable(&e->pci->dev, "e1000 %s: %s", ename(e), why);
    if (e->registered)
        netdev_set_link(&e->nd, false);
    else
        e->nd.link_up = false;
}

/* ---- transmit ---- */

/* One TDT write for every frame queued since the last. */
static void tx_write_tail(struct e1000 *e)
{
    if (e->broken || e->tx.next_use == e->tx_tail_written)
        return;
    e1000_write(e, E1000_TDT, e->tx.next_use);
    e->tx_tail_written = e->tx.next_use;
}

static void tx_flush_work(struct work *w)
{
    tx_write_tail(container_of(w, struct e1000, tx_flush));
}

static int e1000_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                          const struct netdev_tx_offload *offload)
{
    struct e1000 *e = nd->priv;
    if (e->broken)
        return -1;
    if (e1000_tx_free(&e->tx) < 2) {
        e1000_tx_reap(&e->tx);
        if (e1000_tx_free(&e->tx) < 2) {
            /* Full of frames the device may not have been told about yet:
             * tell it now, and take back what it finished meanwhile. */
            tx_write_tail(e);
            e1000_tx_reap(&e->tx);
        }
    }
    uint64_t offloaded = e->tx.offloaded;
    if (e1000_tx_put(&e->tx, bufs, n, offload) != 0)
        return -1;
    if (e->tx.offloaded != offloaded)
        nd->stats.tx_csum_offloaded++;
    /* Frames queued in the same pass of the loop share one tail write:
     * at the end of the work, or from the flush work queued here; a long
     * burst (TCP sending a window) is handed over every TX_BATCH frames. */
    unsigned unflushed = (e->tx.next_use + e->tx.count - e->tx_tail_written) % e->tx.count;
    if (unflushed >= TX_BATCH)
        tx_write_tail(e);
    else if (!e->in_work)
        work_queue(&e->tx_flush);
    return 0;
}

static const struct netdev_ops e1000_ops = {.transmit = e1000_transmit};

/* ---- the event-loop work ---- */

static void check_heads(struct e1000 *e)
{
    uint32_t rdh = e1000_read(e, E1000_RDH), tdh = e1000_read(e, E1000_TDH);
    if (!e1000_head_ok(rdh, e->rx.count))
        e1000_fail(e, "receive head %u outside the ring of %u descriptors", rdh, e->rx.count);
    else if (!e1000_head_ok(tdh, e->tx.count))
        e1000_fail(e, "transmit head %u outside the ring of %u descriptors", tdh, e->tx.count);
}

static void rx_process(struct e1000 *e)
{
    unsigned budget = RX_BUDGET;
    unsigned tail = e->rx.tail;
    while (!e->broken) {
        if (budget-- == 0) {
            if (e->rx_budget_hits++ == 0)
                note(e, "receive ring keeps refilling; finishing later (budget reached)");
            work_queue(&e->work);
            break;
        }
        const uint8_t *frame;
        size_t len;
        enum e1000_rx_result r = e1000_rx_next(&e->rx, &frame, &len);
        if (r == E1000_RX_EMPTY)
            break;
        if (r == E1000_RX_BROKEN) {
            e1000_fail(e, "receive descriptor %u: %s (value %#x)", e->rx.next, e->rx.error,
                       e->rx.bad_value);
            return;
        }
        if (r == E1000_RX_DROP) {
            e->nd.stats.rx_errors++;
            note(e, "received frame dropped: the device flagged it bad, or it is too short");
            continue;
        }
        netdev_deliver(&e->nd, frame, len);
        e1000_rx_release(&e->rx);
    }
    if (!e->broken && e->rx.tail != tail)
        e1000_write(e, E1000_RDT, e->rx.tail);
}

static void e1000_work(struct work *w)
{
    struct e1000 *e = container_of(w, struct e1000, work);
    if (e->broken)
        return;
    e->in_work = true;
    uint32_t causes = e1000_irq_take(e);
    if (causes & (E1000_ICR_LSC | E1000_ICR_OTHER)) {
        bool up = e1000_link_up(e);
        if (e->registered)
            netdev_set_link(&e->nd, up);
    }
    if (causes & E1000_ICR_RXO) {
        note(e, "receiver overrun: frames were lost (counted as dropped)");
        e1000_collect_stats(e);
    }
    e1000_tx_reap(&e->tx);
    rx_process(e);
    if (!e->broken)
        check_heads(e);
    tx_write_tail(e);
    e->in_work = false;
}

/* ---- probe, exit, removal ---- */

/* Stops the device and its DMA, detaches the interrupt and the work, and
 * frees everything: the end of a failed probe and of a removal. */
static void teardown(struct e1000 *e)
{
    if (e->regs != NULL && !e->broken)
        e1000_stop(e);
    if (e->regs != NULL)
        e1000_irq_teardown(e);
    stop_dma(e);
    work_cancel(&e->work);
    work_cancel(&e->tx_flush);
    if (e->rx_desc_mem || e->tx_desc_mem || e->rx_pool || e->tx_pool)
        free_memory(e);
    free(e);
}

static int alloc_rings(struct e1000 *e)
{
    uint64_t rx_pool_dev, tx_pool_dev;
    e->rx_desc_mem =
        dma_alloc(RX_COUNT * sizeof(struct e1000_rx_desc), DESC_ALIGN, &e->rx_desc_dev);
    e->tx_desc_mem =
        dma_alloc(TX_COUNT * sizeof(struct e1000_tx_desc), DESC_ALIGN, &e->tx_desc_dev);
    e->rx_pool = dma_alloc((size_t)RX_COUNT * E1000_BUF_SIZE, POOL_ALIGN, &rx_pool_dev);
    e->tx_pool = dma_alloc((size_t)TX_COUNT * E1000_BUF_SIZE, POOL_ALIGN, &tx_pool_dev);
    if (!e->rx_desc_mem || !e->tx_desc_mem || !e->rx_pool || !e->tx_pool)
        return -1;
    e1000_rx_init(&e->rx, e->rx_desc_mem, RX_COUNT, e->rx_pool, rx_pool_dev);
    e1000_tx_init(&e->tx, e->tx_desc_mem, TX_COUNT, e->tx_pool, tx_pool_dev);
    return 0;
}

static const char *model_of(uint16_t device)
{
    switch (device) {
    case E1000_DEV_82540EM:
        return "82540EM";
    case E1000_DEV_82545EM:
        return "82545EM";
    default:
        return "82574L";
    }
}

static int e1000_probe(struct pci_dev *d, const struct pci_device_id *id)
{
    (void)id;
    struct e1000 *e = calloc(1, sizeof *e);
    if (e == NULL) {
        kprintf("e1000 %s: out of memory\n", d->dev.name);
        return -1;
    }
    e->pci = d;
    e->model = model_of(d->device);
    e->family = d->device == E1000_DEV_82574L ? E1000_FAMILY_82574 : E1000_FAMILY_8254X;
    e->work = (struct work)WORK_INIT(e1000_work);
    e->tx_flush = (struct work)WORK_INIT(tx_flush_work);
    /* BAR 0: the registers, 128 KiB of memory on every model here. */
    if (d->bar[0].io || d->bar[0].size < E1000_RAH0 + 4) {
        kprintf("e1000 %s: BAR 0 is not a register window (%s, %llu bytes)\n", d->dev.name,
                d->bar[0].io ? "I/O" : "memory", (unsigned long long)d->bar[0].size);
        free(e);
        return -1;
    }
    e->regs = pci_map_bar(d, 0);
    if (e->regs == NULL) {
        kprintf("e1000 %s: BAR 0 cannot be mapped\n", d->dev.name);
        free(e);
        return -1;
    }
    pci_enable(d, true, false, true);
    if (e1000_reset(e) != 0) {
        teardown(e);
        return -1;
    }
    e1000_read_mac(e);
    if (alloc_rings(e) != 0) {
        kprintf("e1000 %s: out of memory for the rings\n", d->dev.name);
        teardown(e);
        return -1;
    }
    e->nd.driver = e->family == E1000_FAMILY_82574 ? "e1000e" : "e1000";
    e->nd.dev = &d->dev;
    e->nd.mtu = ETH_MTU;
    e->nd.features = NETDEV_FEATURE_TX_CSUM;
    e->nd.ops = &e1000_ops;
    e->nd.priv = e;
    e1000_start(e);
    e1000_irq_setup(e);
    e->nd.link_up = e1000_link_up(e);
    uint32_t status = e1000_read(e, E1000_STATUS);
    static const char *const speeds[] = {"10", "100", "1000", "1000"};
    kprintf("e1000 %s: %s, interrupts %s (%u vector%s), %u receive and %u transmit "
            "descriptors, link %s %s Mb/s\n",
            d->dev.name, e->model, e1000_irq_mode_name(e), e->nvectors, e->nvectors == 1 ? "" : "s",
            RX_COUNT, TX_COUNT, e->nd.link_up ? "up" : "down",
            speeds[(status >> E1000_STATUS_SPEED_SHIFT) & E1000_STATUS_SPEED_MASK]);
    if (netdev_register(&e->nd) != 0) {
        teardown(e);
        return -1;
    }
    e->registered = true;
    e->next = bound;
    bound = e;
    work_queue(&e->work); /* anything that arrived during setup */
    return 0;
}

static bool tx_all_done(void *ctx)
{
    struct e1000 *e = ctx;
    if (e->broken)
        return true;
    e1000_tx_reap(&e->tx);
    return e->tx.in_flight == 0;
}

/* Exit: what was queued leaves the VM before it ends. */
static void e1000_quiesce(struct pci_dev *d)
{
    struct e1000 *e = find(d);
    if (e == NULL || e->broken)
        return;
    e1000_irq_tx_on(e);
    tx_write_tail(e);
    if (!wait_until(tx_all_done, e, time_now_ns() + TX_FLUSH_LIMIT_NS))
        kprintf("e1000 %s: %u descriptors still unsent at exit\n", ename(e), e->tx.in_flight);
    e1000_stop(e);
    stop_dma(e);
}

static void print_summary(struct e1000 *e)
{
    e1000_collect_stats(e);
    const struct e1000_rx_stats *s = &e->rx.stats;
    kprintf("e1000 %s: received %llu frames (checksums verified %llu, bad %llu; %llu flagged "
            "bad by the device, %llu runts, %llu malformed descriptors), missed %llu, CRC errors "
            "%llu; sent %llu frames, %llu with the checksum inserted, %llu contexts, %llu "
            "checksums completed in software\n",
            ename(e), (unsigned long long)s->frames, (unsigned long long)s->csum_verified,
            (unsigned long long)s->csum_bad, (unsigned long long)s->frame_errors,
            (unsigned long long)s->runts, (unsigned long long)s->malformed,
            (unsigned long long)e->missed, (unsigned long long)e->crc_errors,
            (unsigned long long)e->tx.frames, (unsigned long long)e->tx.offloaded,
            (unsigned long long)e->tx.contexts, (unsigned long long)e->tx.software);
}

/* The device is going away: the class forgets it, the device is stopped
 * (receive, transmit, interrupts, bus mastering) and only then is its
 * memory freed. */
static void e1000_remove(struct pci_dev *d)
{
    struct e1000 *e = find(d);
    if (e == NULL)
        return;
    if (!e->broken)
        print_summary(e);
    netdev_unregister(&e->nd);
    forget(e);
    teardown(e);
}

static const struct pci_device_id e1000_ids[] = {
    {E1000_VENDOR_INTEL, E1000_DEV_82540EM, 0, 0},
    {E1000_VENDOR_INTEL, E1000_DEV_82545EM, 0, 0},
    {E1000_VENDOR_INTEL, E1000_DEV_82574L, 0, 0},
    {0, 0, 0, 0},
};

static const struct pci_driver e1000_driver = {
    .drv = {.name = "e1000", .bus = &pci_bus},
    .ids = e1000_ids,
    .probe = e1000_probe,
    .remove = e1000_remove,
    .quiesce = e1000_quiesce,
};
PCI_DRIVER_REGISTER(e1000_driver);
