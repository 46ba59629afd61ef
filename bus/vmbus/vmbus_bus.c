/* The "vmbus" bus: started only where hv_decide found Hyper-V's hypercall
 * interface, the SynIC and the PostMessages and SignalEvents privileges
 * (TLFS "Feature Discovery"), and only when the ACPI namespace describes VMBus (Hyper-V puts
 * it in the DSDT with _HID or _CID "VMBus" on Gen1 and "VMBUS" on Gen2:
 * Linux drivers/hv/vmbus_drv.c vmbus_acpi_device_ids). It enables the
 * hypercall page and the SynIC (hv/hyperv/), connects, takes the offers by
 * polling (interrupts come in through the SynIC too, but the handshake does
 * not depend on them), and adds each offer as a device matched by its class
 * GUID. On any other machine it does nothing and prints nothing. */
#include "bus/vmbus/vmbus.h"
#include "core/acpi.h"
#include "core/aml.h"
#include "core/dma.h"
#include "core/log.h"
#include "core/platform.h"
#include "hv/hv.h"
#include "hv/hyperv/hyperv.h"

#define PAGE 4096u

static const struct vmbus_driver *vmbus_driver_of(const struct driver *d)
{
    return container_of(d, struct vmbus_driver, drv);
}

static int vmbus_bus_match(struct device *dev, const struct driver *drv, const void **id)
{
    struct vmbus_dev *vd = container_of(dev, struct vmbus_dev, dev);
    const struct vmbus_driver *vdrv = vmbus_driver_of(drv);
    for (unsigned i = 0; i < vdrv->nclasses; i++) {
        if (vmbus_guid_equal(&vdrv->classes[i], &vd->offer.if_type)) {
            *id = &vdrv->classes[i];
            return 1;
        }
    }
    return -1;
}

static int vmbus_bus_probe(struct device *dev, const struct driver *drv, const void *id)
{
    (void)id;
    struct vmbus_dev *vd = container_of(dev, struct vmbus_dev, dev);
    int rc = vmbus_driver_of(drv)->probe(vd);
    if (rc != 0 && vd->state != VMBUS_CH_CLOSED)
        vmbus_close(vd);
    return rc;
}

static void vmbus_bus_remove(struct device *dev)
{
    struct vmbus_dev *vd = container_of(dev, struct vmbus_dev, dev);
    const struct vmbus_driver *vdrv = vmbus_driver_of(dev->driver);
    if (vdrv->remove != NULL)
        vdrv->remove(vd);
    if (vd->state != VMBUS_CH_CLOSED || vd->gpadl_live)
        vmbus_close(vd);
}

static void found_vmbus(const struct aml_device *d, void *ctx)
{
    (void)d;
    *(bool *)ctx = true;
}

static bool acpi_has_vmbus(void)
{
    bool found = false;
    const struct acpi_info *acpi = platform_acpi();
    if (acpi == NULL)
        return false;
    acpi_find_devices(platform_phys(), acpi, "VMBus", "vmbus", found_vmbus, &found);
    acpi_find_devices(platform_phys(), acpi, "VMBUS", "vmbus", found_vmbus, &found);
    return found;
}

/* The SynIC's interrupt queues this; it takes what the host sent. */
static void vmbus_event(struct work *w)
{
    (void)w;
    vmbus_settle();
}
static struct work vmbus_work = WORK_INIT(vmbus_event);

static void vmbus_start(void)
{
    if (!hv_has(HV_CAP_HYPERV_HYPERCALL, NULL))
        return;
    if (!acpi_has_vmbus()) {
        kprintf("vmbus: Hyper-V, but no VMBus device in ACPI; not started\n");
        return;
    }
    if (!hv_has(HV_CAP_HYPERV_SYNIC, NULL) || !hv_has(HV_CAP_HYPERV_MESSAGES, NULL)) {
        kprintf("vmbus: the partition may not use the SynIC or post messages and signal "
                "events; not started\n");
        return;
    }
    if (hyperv_hypercall_init() != 0 || hyperv_synic_init(&vmbus_work) != 0)
        return;
    /* Pages the host may use: the pre-V5 interrupt page and the two monitor
     * pages (INITIATE_CONTACT). */
    uint64_t gpa;
    if (dma_alloc(3 * PAGE, PAGE, &gpa) == NULL) {
        kprintf("vmbus: no memory for the monitor pages\n");
        return;
    }
    if (vmbus_connect(gpa, gpa + PAGE, gpa + 2 * PAGE) != 0)
        return;
    vmbus_settle();
}

const struct bus vmbus_bus = {
    .name = "vmbus",
    .order = 20,
    .start = vmbus_start,
    .match = vmbus_bus_match,
    .probe = vmbus_bus_probe,
    .remove = vmbus_bus_remove,
    .report_no_driver = true,
};
BUS_REGISTER(vmbus_bus);
