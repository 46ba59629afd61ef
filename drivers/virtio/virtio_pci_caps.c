/* virtio-pci identification and the walk over its virtio structure
 * capabilities (virtio 1.2, 4.1.2 and 4.1.4), every field checked against
 * the function's BARs. Pure logic (see virtio_pci.h): the configuration
 * space is read through a callback, so host tests and fuzzers supply it. */
#include <stddef.h>

#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"
#include "drivers/virtio/virtio_pci.h"

bool vpci_id_supported(uint16_t vendor, uint16_t device)
{
    return vendor == VPCI_VENDOR && device >= VPCI_DEVICE_FIRST && device <= VPCI_DEVICE_LAST;
}

uint32_t vpci_virtio_id(uint16_t device, uint16_t subsys_device)
{
    if (device >= VPCI_MODERN_BASE)
        return device - (uint32_t)VPCI_MODERN_BASE;
    /* 4.1.2.1, "Transitional PCI Device ID". */
    switch (device) {
    case 0x1000:
        return VIRTIO_ID_NET;
    case 0x1001:
        return VIRTIO_ID_BLOCK;
    case 0x1002:
        return VIRTIO_ID_BALLOON;
    case 0x1003:
        return VIRTIO_ID_CONSOLE;
    case 0x1004:
        return VIRTIO_ID_SCSI;
    case 0x1005:
        return VIRTIO_ID_RNG;
    case 0x1009:
        return VIRTIO_ID_9P;
    default:
        return subsys_device;
    }
}

static uint8_t cap_read8(void *ctx, uint16_t off)
{
    const struct vpci_config_access *cfg = ctx;
    return cfg->read8(cfg->ctx, off);
}

static const char *type_name(uint8_t type)
{
    switch (type) {
    case VPCI_CFG_COMMON:
        return "common";
    case VPCI_CFG_NOTIFY:
        return "notify";
    case VPCI_CFG_ISR:
        return "isr";
    default:
        return "device";
    }
}

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Checks one capability; fills r and returns true when it is usable. */
static bool check_cap(const struct vpci_config_access *cfg, uint8_t c, uint8_t type,
                      const struct pci_bar bar[6], uint8_t bar_bad, const char *name,
                      struct vpci_cap_region *r, uint32_t *multiplier)
{
    const char *t = type_name(type);
    uint8_t cap_len = cfg->read8(cfg->ctx, (uint16_t)(c + VPCI_CAP_LEN));
    unsigned need = type == VPCI_CFG_NOTIFY ? VPCI_NOTIFY_CAP_SIZE : VPCI_CAP_SIZE;
    if (cap_len < need || (unsigned)c + need > PCI_CONFIG_SPACE_SIZE) {
        kprintf("virtio-pci %s: %s capability at %#x is %u bytes long (%u needed); ignored\n", name,
                t, c, cap_len, need);
        return false;
    }
    uint8_t b = cfg->read8(cfg->ctx, (uint16_t)(c + VPCI_CAP_BAR));
    uint32_t offset = cfg->read32(cfg->ctx, (uint16_t)(c + VPCI_CAP_OFFSET));
    uint32_t length = cfg->read32(cfg->ctx, (uint16_t)(c + VPCI_CAP_LENGTH));
    static const uint32_t min_length[] = {
        [VPCI_CFG_COMMON] = VPCI_COMMON_MIN_LENGTH,
        [VPCI_CFG_NOTIFY] = VPCI_NOTIFY_MIN_LENGTH,
        [VPCI_CFG_ISR] = VPCI_ISR_MIN_LENGTH,
        [VPCI_CFG_DEVICE] = 0,
    };
    if (b > VPCI_CAP_MAX_BAR) {
        kprintf("virtio-pci %s: %s capability names BAR %u; ignored\n", name, t, b);
        return false;
    }
    const struct pci_bar *bb = &bar[b];
    if ((bar_bad & (1u << b)) || bb->io || bb->size == 0 || bb->base == 0) {
        kprintf("virtio-pci %s: %s capability: BAR %u is not an assigned memory BAR; ignored\n",
                name, t, b);
        return false;
    }
    if (length < min_length[type]) {
        kprintf("virtio-pci %s: %s capability is %u bytes, at least %u needed; ignored\n", name, t,
                length, min_length[type]);
        return false;
    }
    if ((uint64_t)offset + length > bb->size) {
        kprintf("virtio-pci %s: %s capability (%#x+%#x) lies outside BAR %u (size %#llx); "
                "ignored\n",
                name, t, offset, length, b, (unsigned long long)bb->size);
        return false;
    }
    if (type == VPCI_CFG_NOTIFY) {
        /* 4.1.4.4: 0 (one address for every queue) or an even power of
         * two; anything else would put queue addresses off their width. */
        uint32_t mul = cfg->read32(cfg->ctx, (uint16_t)(c + VPCI_CAP_NOTIFY_MULTIPLIER));
        if (mul != 0 && (!is_power_of_two(mul) || mul < 2)) {
            kprintf("virtio-pci %s: notify_off_multiplier %u is neither 0 nor an even power of "
                    "two; ignored\n",
                    name, mul);
            return false;
        }
        *multiplier = mul;
    }
    *r = (struct vpci_cap_region){
        .found = true, .cap = c, .bar = b, .offset = offset, .length = length};
    return true;
}

void vpci_parse_caps(const struct vpci_config_access *cfg, const struct pci_bar bar[6],
                     uint8_t bar_bad, const char *name, struct vpci_caps *out)
{
    *out = (struct vpci_caps){0};
    bool malformed = false;
    for (uint8_t c = pci_cap_walk(cap_read8, (void *)cfg, cfg->header_type, PCI_CAP_ID_VENDOR, 0,
                                  false, &malformed);
         c != 0; c = pci_cap_walk(cap_read8, (void *)cfg, cfg->header_type, PCI_CAP_ID_VENDOR, c,
                                  true, &malformed)) {
        out->vendor_caps++;
        uint8_t type = cfg->read8(cfg->ctx, (uint16_t)(c + VPCI_CAP_CFG_TYPE));
        struct vpci_cap_region *r = type == VPCI_CFG_COMMON   ? &out->common
                                    : type == VPCI_CFG_NOTIFY ? &out->notify
                                    : type == VPCI_CFG_ISR    ? &out->isr
                                    : type == VPCI_CFG_DEVICE ? &out->device
                                                              : NULL;
        /* PCI configuration access, shared memory, vendor data: not used;
         * a later instance of a type already found: the first counts. */
        if (r == NULL || r->found)
            continue;
        check_cap(cfg, c, type, bar, bar_bad, name, r, &out->notify_multiplier);
    }
    /* The walk that ended the loop says whether the list ended normally. */
    if (malformed) {
        out->list_malformed = true;
        kprintf("virtio-pci %s: capability list is malformed (loop or bad pointer); walk "
                "stopped\n",
                name);
    }
}
