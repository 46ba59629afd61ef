/* Register-level work of the e1000 driver (e1000.h): reset, the Ethernet
 * address, programming the rings and the receive/transmit engines, link
 * state and statistics. The order follows [SDM] ch. 14 ("General
 * Initialization and Reset Operation": receive and transmit
 * initialization) and [82574] ch. 4/7. */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/time.h"
#include "dev/random.h"
#include "drivers/e1000/e1000.h"
#include "drivers/e1000/mac_addr.h"

#define RESET_LIMIT_NS 20000000ull  /* CTRL.RST clears itself within microseconds */
#define EEPROM_LIMIT_NS 10000000ull /* one EERD word */

uint32_t e1000_read(const struct e1000 *e, uint32_t reg)
{
    return mmio_read32((uintptr_t)(e->regs + reg));
}

void e1000_write(const struct e1000 *e, uint32_t reg, uint32_t v)
{
    mmio_write32((uintptr_t)(e->regs + reg), v);
}

static bool reset_done(void *ctx)
{
    return !(e1000_read(ctx, E1000_CTRL) & E1000_CTRL_RST);
}

int e1000_reset(struct e1000 *e)
{
    /* Interrupts masked before and after: a reset does not promise to
     * clear a pending cause ([SDM] ch. 14, "Software Reset"). */
    e1000_write(e, E1000_IMC, ~0u);
    e1000_write(e, E1000_RCTL, 0);
    e1000_write(e, E1000_TCTL, 0);
    e1000_write(e, E1000_CTRL, e1000_read(e, E1000_CTRL) | E1000_CTRL_RST);
    if (!wait_until(reset_done, e, time_now_ns() + RESET_LIMIT_NS)) {
        kprintf("e1000 %s: the reset did not finish (CTRL %#x)\n", e->pci->dev.name,
                e1000_read(e, E1000_CTRL));
        return -1;
    }
    e1000_write(e, E1000_IMC, ~0u);
    (void)e1000_read(e, E1000_ICR);
    return 0;
}

struct eerd_wait {
    struct e1000 *e;
    uint32_t done_bit;
    uint32_t value;
};

static bool eerd_done(void *ctx)
{
    struct eerd_wait *w = ctx;
    w->value = e1000_read(w->e, E1000_EERD);
    return (w->value & w->done_bit) != 0;
}

/* One EEPROM word through EERD; the two families place DONE and ADDR apart
 * (regs.h). Returns 0, or -1 when DONE never comes. */
static int eeprom_word(struct e1000 *e, unsigned addr, uint16_t *out)
{
    bool is_82574 = e->family == E1000_FAMILY_82574;
    struct eerd_wait w = {e, is_82574 ? E1000_EERD_82574_DONE : E1000_EERD_8254X_DONE, 0};
    unsigned shift = is_82574 ? E1000_EERD_82574_ADDR_SHIFT : E1000_EERD_8254X_ADDR_SHIFT;
    e1000_write(e, E1000_EERD, (uint32_t)addr << shift | E1000_EERD_START);
    if (!wait_until(eerd_done, &w, time_now_ns() + EEPROM_LIMIT_NS))
        return -1;
    *out = (uint16_t)(w.value >> E1000_EERD_DATA_SHIFT);
    return 0;
}

static void log_mac(const struct e1000 *e, const char *what, const uint8_t m[6])
{
    kprintf("e1000 %s: %s %02x:%02x:%02x:%02x:%02x:%02x\n", e->pci->dev.name, what, m[0], m[1],
            m[2], m[3], m[4], m[5]);
}

void e1000_read_mac(struct e1000 *e)
{
    uint8_t ra[6], eeprom[6], rnd[6];
    bool ra_valid = e1000_mac_from_ra(e1000_read(e, E1000_RAL0), e1000_read(e, E1000_RAH0), ra);
    if (ra_valid && e1000_mac_usable(ra)) {
        memcpy(e->nd.mac, ra, 6);
        return;
    }
    if (ra_valid)
        log_mac(e, "receive address 0 holds an unusable address", ra);
    else
        kprintf("e1000 %s: receive address 0 is not marked valid; reading the EEPROM\n",
                e->pci->dev.name);
    uint16_t words[E1000_EEPROM_MAC_WORDS];
    bool eeprom_read = true;
    for (unsigned i = 0; i < E1000_EEPROM_MAC_WORDS && eeprom_read; i++)
        eeprom_read = eeprom_word(e, i, &words[i]) == 0;
    if (eeprom_read)
        e1000_mac_from_eeprom(words, eeprom);
    else
        kprintf("e1000 %s: the EEPROM did not answer\n", e->pci->dev.name);
    random_bytes(rnd, sizeof rnd);
    switch (e1000_mac_choose(ra_valid ? ra : NULL, eeprom_read ? eeprom : NULL, rnd, e->nd.mac)) {
    case E1000_MAC_EEPROM:
        log_mac(e, "address from the EEPROM:", e->nd.mac);
        break;
    case E1000_MAC_RANDOM:
        if (eeprom_read)
            log_mac(e, "the EEPROM holds an unusable address", eeprom);
        log_mac(e, "no usable address from the device; using random", e->nd.mac);
        break;
    case E1000_MAC_RA:
        break;
    }
}

void e1000_start(struct e1000 *e)
{
    /* The station address, valid, in receive address 0 (the device filters
     * on it); every other filter entry off. */
    const uint8_t *m = e->nd.mac;
    e1000_write(e, E1000_RAL0,
                (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
    e1000_write(e, E1000_RAH0, (uint32_t)m[4] | (uint32_t)m[5] << 8 | E1000_RAH_AV);
    for (unsigned i = 0; i < E1000_MTA_ENTRIES; i++)
        e1000_write(e, E1000_MTA + 4 * i, 0);
    /* Link: let the MAC follow the PHY's resolved speed ([SDM] ch. 14,
     * "Link Setup Mechanisms": ASDE with SLU for copper). */
    e1000_write(e, E1000_CTRL, e1000_read(e, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE);

    uint64_t rx_ring = e->rx_desc_dev, tx_ring = e->tx_desc_dev;
    e1000_write(e, E1000_RDBAL, (uint32_t)rx_ring);
    e1000_write(e, E1000_RDBAH, (uint32_t)(rx_ring >> 32));
    e1000_write(e, E1000_RDLEN, e->rx.count * (uint32_t)sizeof(struct e1000_rx_desc));
    e1000_write(e, E1000_RDH, 0);
    e1000_write(e, E1000_RDT, e->rx.tail);
    e1000_write(e, E1000_RDTR, 0); /* no receive delay: interrupt per frame batch */
    e1000_write(e, E1000_TDBAL, (uint32_t)tx_ring);
    e1000_write(e, E1000_TDBAH, (uint32_t)(tx_ring >> 32));
    e1000_write(e, E1000_TDLEN, e->tx.count * (uint32_t)sizeof(struct e1000_tx_desc));
    e1000_write(e, E1000_TDH, 0);
    e1000_write(e, E1000_TDT, 0);
    e->tx_tail_written = 0;
    e1000_write(e, E1000_TIPG, E1000_TIPG_VALUE);

    e1000_write(e, E1000_RXCSUM, E1000_RXCSUM_IPOFL | E1000_RXCSUM_TUOFL);
    e1000_write(e, E1000_TCTL,
                E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(E1000_TCTL_CT_DEFAULT) |
                    E1000_TCTL_COLD(E1000_TCTL_COLD_FULL_DUPLEX));
    /* Broadcast for ARP; multicast unfiltered, since the netdev class has
     * no multicast list and IPv6 neighbour discovery needs its groups. */
    e1000_write(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_MPE | E1000_RCTL_SECRC);
}

void e1000_stop(struct e1000 *e)
{
    e1000_write(e, E1000_IMC, ~0u);
    e1000_write(e, E1000_RCTL, 0);
    e1000_write(e, E1000_TCTL, 0);
}

bool e1000_link_up(const struct e1000 *e)
{
    return (e1000_read(e, E1000_STATUS) & E1000_STATUS_LU) != 0;
}

void e1000_collect_stats(struct e1000 *e)
{
    uint32_t missed = e1000_read(e, E1000_MPC), crc = e1000_read(e, E1000_CRCERRS);
    e->missed += missed;
    e->crc_errors += crc;
    e->nd.stats.rx_dropped += missed;
    e->nd.stats.rx_errors += crc;
}
