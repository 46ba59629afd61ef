/* Firecracker's DSDT contents: see dsdt.h. */
#include <stdio.h>

#include "hostsim/acpi/aml.h"
#include "hostsim/firecracker/dsdt.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/virtio_layout.h"

#define COM1_PORT 0x3F8
#define COM1_PORTS 8
#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64

/* mmio.rs add_virtio_aml: _UID and the name's number are gsi - 5. */
static void virtio_device(struct hs_aml *a, unsigned i)
{
    struct fc_virtio_slot s = fc_virtio_slot(i);
    unsigned id = s.gsi - FC_VIRTIO_FIRST_GSI;
    char name[5];
    snprintf(name, sizeof name, "V%03u", id % 1000);
    hs_aml_device(a, name);
    hs_aml_name(a, "_HID");
    hs_aml_string(a, "LNRO0005");
    hs_aml_name(a, "_UID");
    hs_aml_dword(a, id);
    hs_aml_name(a, "_CCA");
    hs_aml_integer(a, 1);
    hs_aml_name(a, "_CRS");
    hs_aml_resources(a);
    hs_aml_rd_memory32_fixed(a, true, (uint32_t)s.base, (uint32_t)FC_VIRTIO_MMIO_SIZE);
    hs_aml_rd_interrupt(a, true, true, false, false, s.gsi);
    hs_aml_end(a);
    hs_aml_end(a);
}

/* legacy.rs append_aml_bytes. */
static void com1(struct hs_aml *a)
{
    hs_aml_device(a, "_SB_.COM1");
    hs_aml_name(a, "_HID");
    hs_aml_eisa_id(a, "PNP0501");
    hs_aml_name(a, "_UID");
    hs_aml_byte(a, 0);
    hs_aml_name(a, "_DDN");
    hs_aml_string(a, "COM1");
    hs_aml_name(a, "_CRS");
    hs_aml_resources(a);
    hs_aml_rd_interrupt(a, true, true, false, false, FC_COM1_GSI);
    hs_aml_rd_io(a, COM1_PORT, COM1_PORT, 1, COM1_PORTS);
    hs_aml_end(a);
    hs_aml_end(a);
}

static void ps2(struct hs_aml *a)
{
    hs_aml_device(a, "_SB_.PS2_");
    hs_aml_name(a, "_HID");
    hs_aml_eisa_id(a, "PNP0303");
    hs_aml_method(a, "_STA", 0, false);
    hs_aml_return(a);
    hs_aml_byte(a, 0x0F);
    hs_aml_end(a);
    hs_aml_name(a, "_CRS");
    hs_aml_resources(a);
    hs_aml_rd_io(a, I8042_DATA_PORT, I8042_DATA_PORT, 1, 1);
    /* Firecracker: "Fake a command port so Linux stops complaining". */
    hs_aml_rd_io(a, I8042_COMMAND_PORT, I8042_COMMAND_PORT, 1, 1);
    hs_aml_rd_interrupt(a, true, true, false, false, FC_I8042_GSI);
    hs_aml_end(a);
    hs_aml_end(a);
}

size_t fc_dsdt_build(unsigned nvirtio, uint8_t *buf, size_t cap)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, cap);
    for (unsigned i = 0; i < nvirtio; i++)
        virtio_device(&a, i);
    com1(&a);
    ps2(&a);
    return hs_aml_finish(&a);
}
