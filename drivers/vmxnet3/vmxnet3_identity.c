/* vmxnet3's identity at probe: the revision and UPT version both sides
 * speak (VRRS/UVRS, Linux vmxnet3_probe_device: one bit written back), and
 * the MAC address from MACL/MACH, checked. Pure: registers through
 * vmxnet3_cmd.c, so host tests put a simulated device behind them. */
#include "core/log.h"
#include "dev/random.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"

/* Revisions and UPT versions this driver speaks: the revision-1 layout. */
#define KNOWN_REVISIONS 1
#define KNOWN_UPT_VERSIONS 1
#define MAC_GROUP_BIT 0x01 /* IEEE 802-2014, 8.2.2 */
#define MAC_LOCAL_BIT 0x02

static bool mac_usable(const uint8_t m[6])
{
    bool zero = true, ones = true;
    for (unsigned i = 0; i < 6; i++) {
        zero &= m[i] == 0;
        ones &= m[i] == 0xFF;
    }
    return !zero && !ones && !(m[0] & MAC_GROUP_BIT);
}

void vmx_read_mac(struct vmx *v)
{
    uint32_t lo = vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_MACL);
    uint32_t hi = vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_MACH);
    uint8_t *m = v->nd.mac;
    for (unsigned i = 0; i < 4; i++)
        m[i] = (uint8_t)(lo >> (8 * i));
    m[4] = (uint8_t)hi;
    m[5] = (uint8_t)(hi >> 8);
    if (mac_usable(m))
        return;
    kprintf("%s: the device's MAC address %02x:%02x:%02x:%02x:%02x:%02x is not a unicast "
            "address; ",
            v->name, m[0], m[1], m[2], m[3], m[4], m[5]);
    random_bytes(m, 6);
    m[0] = (uint8_t)((m[0] & ~MAC_GROUP_BIT) | MAC_LOCAL_BIT);
    kprintf("using random %02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
    /* Tell the device, so that it filters for the address we use (QEMU
     * applies it on the MACH write). */
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_MACL,
              (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_MACH, (uint32_t)m[4] | (uint32_t)m[5] << 8);
}

int vmx_negotiate(struct vmx *v)
{
    uint32_t vrrs = vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_VRRS);
    v->revision = vmx_pick_version(vrrs, KNOWN_REVISIONS);
    if (v->revision == 0) {
        kprintf("%s: the device offers revisions 0x%x; this driver speaks revision 1 only\n",
                v->name, vrrs);
        return -1;
    }
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_VRRS, v->revision);
    uint32_t uvrs = vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_UVRS);
    v->upt = vmx_pick_version(uvrs, KNOWN_UPT_VERSIONS);
    if (v->upt == 0) {
        kprintf("%s: the device offers UPT versions 0x%x; this driver speaks version 1 only\n",
                v->name, uvrs);
        return -1;
    }
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_UVRS, v->upt);
    return 0;
}
