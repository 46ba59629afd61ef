/* ACPI S5 power-off: see pm.h. */
#include <string.h>

#include "hostsim/hyperv/pm.h"

#define SCI_EN 0x1u
#define SLP_TYP_SHIFT 10
#define SLP_TYP_MASK 0x7u
#define SLP_EN (1u << 13)

void hvm_pm_write(struct hvm_pm *pm, uint16_t value)
{
    if ((value & SLP_EN) && ((value >> SLP_TYP_SHIFT) & SLP_TYP_MASK) == HVM_S5_SLP_TYP) {
        vm_stop_request(pm->stop, 0, "the guest powered off (ACPI S5)");
        return;
    }
    pm->cnt = (uint16_t)(value & ~SLP_EN); /* another state: not offered, nothing happens */
}

static void pm_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size)
{
    (void)vcpu;
    struct hvm_pm *pm = ctx;
    uint16_t v = (uint16_t)(pm->cnt | SCI_EN);
    for (unsigned i = 0; i < size && offset + i < HVM_PM1_CNT_LEN; i++)
        data[i] = (uint8_t)(v >> (8 * (offset + i)));
}

static void pm_port_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                          unsigned size)
{
    (void)vcpu;
    struct hvm_pm *pm = ctx;
    if (offset != 0 || size < 2)
        return; /* SLP_EN is in the high byte: only a 16-bit write sets both fields */
    hvm_pm_write(pm, (uint16_t)(data[0] | data[1] << 8));
}

/* PM1 status (offset 0, write 1 to clear: nothing to clear) and enable (2). */
static void evt_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size)
{
    (void)vcpu;
    struct hvm_pm *pm = ctx;
    uint32_t v = (uint32_t)pm->enable << 16;
    for (unsigned i = 0; i < size; i++)
        data[i] = offset + i < HVM_PM1_EVT_LEN ? (uint8_t)(v >> (8 * (offset + i))) : 0;
}

static void evt_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                      unsigned size)
{
    (void)vcpu;
    struct hvm_pm *pm = ctx;
    for (unsigned i = 0; i < size; i++) {
        uint64_t at = offset + i;
        if (at == 2)
            pm->enable = (uint16_t)((pm->enable & 0xFF00) | data[i]);
        else if (at == 3)
            pm->enable = (uint16_t)((pm->enable & 0x00FF) | data[i] << 8);
    }
}

int hvm_pm_register(struct hvm_pm *pm, struct vm_stop *stop, struct iobus *pio)
{
    memset(pm, 0, sizeof *pm);
    pm->stop = stop;
    if (iobus_add(pio, HVM_PM1A_EVT_PORT, HVM_PM1_EVT_LEN, "acpi pm1a_evt", evt_read, evt_write,
                  pm) != 0)
        return -1;
    return iobus_add(pio, HVM_PM1A_CNT_PORT, HVM_PM1_CNT_LEN, "acpi pm1a_cnt", pm_read,
                     pm_port_write, pm);
}
