/* drivers/virtio/virtio_pci_caps.c: virtio-pci identification (4.1.2) and
 * the virtio structure capabilities (4.1.4) checked against the BARs, over a
 * simulated configuration space in the order QEMU 7.2's virtio-net-pci
 * lists them (MSI-X first, then common, ISR, device, notify and the PCI
 * configuration access capability, the structures in BAR 4), then broken
 * one field at a time. */
#include <stdint.h>

#include "bus/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci.h"
#include "tests/unit/unit.h"

static uint8_t space[256];
static struct pci_bar bars[6];

static uint8_t rd8(void *ctx, uint16_t off)
{
    (void)ctx;
    return off < sizeof space ? space[off] : 0xFF;
}
static uint32_t rd32(void *ctx, uint16_t off)
{
    (void)ctx;
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)(off + i < sizeof space ? space[off + i] : 0xFF) << (8 * i);
    return v;
}

static void put32(unsigned at, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        space[at + i] = (uint8_t)(v >> (8 * i));
}

/* struct virtio_pci_cap at `at`, next capability at `next`. */
static void vcap(unsigned at, unsigned next, uint8_t type, uint8_t bar, uint32_t offset,
                 uint32_t length, uint8_t cap_len)
{
    space[at] = PCI_CAP_ID_VENDOR;
    space[at + 1] = (uint8_t)next;
    space[at + VPCI_CAP_LEN] = cap_len;
    space[at + VPCI_CAP_CFG_TYPE] = type;
    space[at + VPCI_CAP_BAR] = bar;
    put32(at + VPCI_CAP_OFFSET, offset);
    put32(at + VPCI_CAP_LENGTH, length);
}

static void qemu_layout(void)
{
    memset(space, 0, sizeof space);
    memset(bars, 0, sizeof bars);
    space[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    space[PCI_CAP_PTR] = 0x98;
    space[0x98] = PCI_CAP_ID_MSIX;
    space[0x99] = 0x88;
    vcap(0x88, 0x78, VPCI_CFG_COMMON, 4, 0x0000, 0x1000, 16);
    vcap(0x78, 0x68, VPCI_CFG_ISR, 4, 0x1000, 0x1000, 16);
    vcap(0x68, 0x54, VPCI_CFG_DEVICE, 4, 0x2000, 0x1000, 16);
    vcap(0x54, 0x40, VPCI_CFG_NOTIFY, 4, 0x3000, 0x1000, 20);
    put32(0x54 + VPCI_CAP_NOTIFY_MULTIPLIER, 4);
    vcap(0x40, 0x00, 5 /* VIRTIO_PCI_CAP_PCI_CFG */, 0, 0, 0, 20);
    bars[1] = (struct pci_bar){.base = 0xfebd1000, .size = 0x1000};
    bars[4] =
        (struct pci_bar){.base = 0xfe000000, .size = 0x4000, .is64 = true, .prefetchable = true};
}

static struct vpci_caps caps;

static void parse(uint8_t bar_bad)
{
    struct vpci_config_access cfg = {rd8, rd32, NULL, PCI_HEADER_ENDPOINT};
    vpci_parse_caps(&cfg, bars, bar_bad, "00:03.0", &caps);
}

TEST(ids)
{
    CHECK(vpci_id_supported(0x1AF4, 0x1000));
    CHECK(vpci_id_supported(0x1AF4, 0x107F));
    CHECK(!vpci_id_supported(0x1AF4, 0x0FFF));
    CHECK(!vpci_id_supported(0x1AF4, 0x1080));
    CHECK(!vpci_id_supported(0x1AF4, 0x1110)); /* QEMU's ivshmem */
    CHECK(!vpci_id_supported(0x8086, 0x1000));
    CHECK_EQ(vpci_virtio_id(0x1041, 0), (uint32_t)VIRTIO_ID_NET);
    CHECK_EQ(vpci_virtio_id(0x1059, 0), 25u);
    CHECK_EQ(vpci_virtio_id(0x1000, 1), (uint32_t)VIRTIO_ID_NET);
    CHECK_EQ(vpci_virtio_id(0x1001, 0), (uint32_t)VIRTIO_ID_BLOCK);
    CHECK_EQ(vpci_virtio_id(0x1005, 0), (uint32_t)VIRTIO_ID_RNG);
    CHECK_EQ(vpci_virtio_id(0x1009, 0), (uint32_t)VIRTIO_ID_9P);
    CHECK_EQ(vpci_virtio_id(0x1012, 18), 18u); /* others: the subsystem ID */
    CHECK(vpci_is_transitional(0x103F));
    CHECK(!vpci_is_transitional(0x1040));
}

TEST(qemu_layout_parsed)
{
    qemu_layout();
    parse(0);
    CHECK_EQ(caps.vendor_caps, 5u);
    CHECK(!caps.list_malformed);
    CHECK(caps.common.found && caps.common.cap == 0x88 && caps.common.bar == 4);
    CHECK_EQ(caps.common.offset, 0u);
    CHECK_EQ(caps.common.length, 0x1000u);
    CHECK(caps.isr.found && caps.isr.offset == 0x1000);
    CHECK(caps.device.found && caps.device.offset == 0x2000);
    CHECK(caps.notify.found && caps.notify.offset == 0x3000);
    CHECK_EQ(caps.notify_multiplier, 4u);
    CHECK(!LOG_CONTAINS("ignored"));
}

TEST(no_capabilities_legacy_device)
{
    qemu_layout();
    space[PCI_STATUS] = 0; /* disable-modern=on: no list at all */
    parse(0);
    CHECK_EQ(caps.vendor_caps, 0u);
    CHECK(!caps.common.found && !caps.notify.found && !caps.isr.found && !caps.device.found);
}

TEST(each_check)
{
    /* BAR not assigned / an I/O BAR / malformed / out of range number. */
    qemu_layout();
    bars[4].base = 0;
    parse(0);
    CHECK(!caps.common.found && !caps.notify.found);
    CHECK(LOG_CONTAINS("common capability: BAR 4 is not an assigned memory BAR; ignored"));
    qemu_layout();
    bars[4].io = true;
    parse(0);
    CHECK(!caps.isr.found);
    qemu_layout();
    parse(1u << 4);
    CHECK(!caps.device.found);
    qemu_layout();
    space[0x88 + VPCI_CAP_BAR] = 6;
    parse(0);
    CHECK(!caps.common.found && caps.isr.found);
    CHECK(LOG_CONTAINS("common capability names BAR 6; ignored"));
    /* Outside its BAR, wrapping included. */
    unit_log_clear();
    qemu_layout();
    put32(0x78 + VPCI_CAP_OFFSET, 0x3800);
    parse(0);
    CHECK(!caps.isr.found);
    CHECK(LOG_CONTAINS("isr capability (0x3800+0x1000) lies outside BAR 4 (size 0x4000)"));
    qemu_layout();
    put32(0x68 + VPCI_CAP_OFFSET, 0xFFFFF000u);
    parse(0);
    CHECK(!caps.device.found);
    /* Too short a structure, too short a capability. */
    unit_log_clear();
    qemu_layout();
    put32(0x88 + VPCI_CAP_LENGTH, VPCI_COMMON_MIN_LENGTH - 1);
    parse(0);
    CHECK(!caps.common.found);
    CHECK(LOG_CONTAINS("common capability is 55 bytes, at least 56 needed"));
    qemu_layout();
    space[0x54 + VPCI_CAP_LEN] = 16; /* a notify capability needs 20 */
    parse(0);
    CHECK(!caps.notify.found);
    /* A device structure may be empty; an ISR may not. */
    qemu_layout();
    put32(0x68 + VPCI_CAP_LENGTH, 0);
    put32(0x78 + VPCI_CAP_LENGTH, 0);
    parse(0);
    CHECK(caps.device.found && caps.device.length == 0);
    CHECK(!caps.isr.found);
}

TEST(notify_multiplier)
{
    static const uint32_t ok[] = {0, 2, 4, 0x1000, 0x80000000u};
    static const uint32_t bad[] = {1, 3, 6, 12, 0xFFFFFFFFu};
    for (unsigned i = 0; i < 5; i++) {
        qemu_layout();
        put32(0x54 + VPCI_CAP_NOTIFY_MULTIPLIER, ok[i]);
        parse(0);
        CHECK(caps.notify.found);
        CHECK_EQ(caps.notify_multiplier, ok[i]);
        qemu_layout();
        put32(0x54 + VPCI_CAP_NOTIFY_MULTIPLIER, bad[i]);
        parse(0);
        CHECK(!caps.notify.found);
    }
}

TEST(first_usable_instance_counts)
{
    /* Two common capabilities: the first unusable, the second taken. */
    qemu_layout();
    space[0x40 + VPCI_CAP_CFG_TYPE] = VPCI_CFG_COMMON; /* the last one becomes common too */
    space[0x40 + VPCI_CAP_BAR] = 4;
    put32(0x40 + VPCI_CAP_OFFSET, 0x100);
    put32(0x40 + VPCI_CAP_LENGTH, 0x100);
    space[0x88 + VPCI_CAP_BAR] = 9;
    parse(0);
    CHECK(caps.common.found && caps.common.cap == 0x40 && caps.common.offset == 0x100);
    /* Both usable: the first in list order. */
    space[0x88 + VPCI_CAP_BAR] = 4;
    parse(0);
    CHECK(caps.common.found && caps.common.cap == 0x88);
}

TEST(malformed_list)
{
    qemu_layout();
    space[0x68 + 1] = 0x88; /* device -> common: a loop */
    parse(0);
    CHECK(caps.list_malformed);
    CHECK(caps.common.found && caps.isr.found && caps.device.found);
    CHECK(!caps.notify.found);
    CHECK(LOG_CONTAINS("capability list is malformed"));
    qemu_layout();
    space[0x78 + 1] = 0x1C; /* into the header */
    parse(0);
    CHECK(caps.list_malformed);
    CHECK(caps.common.found && caps.isr.found && !caps.device.found);
    /* A capability too close to the end of the space. */
    qemu_layout();
    space[0x40 + 1] = 0xF4;
    space[0xF4] = PCI_CAP_ID_VENDOR; /* its 16 bytes would end past 0xFF */
    space[0xF5] = 0;
    space[0xF4 + VPCI_CAP_LEN] = 16;
    space[0xF4 + VPCI_CAP_CFG_TYPE] = VPCI_CFG_COMMON;
    space[0x88] = 0; /* not vendor any more: the one at 0xF4 is the only common */
    parse(0);
    CHECK(!caps.common.found);
    CHECK(LOG_CONTAINS("common capability at 0xf4 is 16 bytes long (16 needed)"));
}

UNIT_MAIN()
