/* The definition block of Firecracker's DSDT, in Firecracker's order
 * (src/vmm/src/acpi/mod.rs build_dsdt at v1.16.1, e527ccfc5449): first the
 * virtio-mmio devices (device_manager/mmio.rs add_virtio_aml), then - where
 * Firecracker puts the GED, VMGenID and VMClock devices, which hostsim does
 * not model - the architecture's devices (acpi/x86_64.rs setup_arch_dsdt ->
 * device_manager/legacy.rs append_aml_bytes): COM1 and the i8042.
 *
 *   Device (V000) {                    one per virtio device, in the root
 *       Name (_HID, "LNRO0005")        scope, named V<gsi - 5>
 *       Name (_UID, 0x00000000)        a DWord
 *       Name (_CCA, One)
 *       Name (_CRS, ResourceTemplate () {
 *           Memory32Fixed (ReadWrite, 0xC0001000, 0x1000)
 *           Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 5 }
 *       })
 *   }
 *   Device (\_SB.COM1) {
 *       Name (_HID, EisaId ("PNP0501"))
 *       Name (_UID, 0x00)              a Byte
 *       Name (_DDN, "COM1")
 *       Name (_CRS, ResourceTemplate () {
 *           Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 4 }
 *           IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
 *       })
 *   }
 *   Device (\_SB.PS2) {
 *       Name (_HID, EisaId ("PNP0303"))
 *       Method (_STA, 0, NotSerialized) { Return (0x0F) }
 *       Name (_CRS, ResourceTemplate () {
 *           IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
 *           IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
 *           Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 1 }
 *       })
 *   }
 *
 * Pure logic: written with the shared AML writer (hostsim/acpi/aml.h). */
#ifndef HOSTSIM_FC_DSDT_H
#define HOSTSIM_FC_DSDT_H

#include <stddef.h>
#include <stdint.h>

/* The block for nvirtio virtio-mmio devices. Returns its length, or 0 when
 * it does not fit in cap. */
size_t fc_dsdt_build(unsigned nvirtio, uint8_t *buf, size_t cap);

#endif
