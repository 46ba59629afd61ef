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
static void virtio_device(struct aml *a, unsigned i)
{
    struct fc_virtio_slot s = fc_virtio_slot(i);
    unsigned id = s.gsi - FC_VIRTIO_FIRST_GSI;
    char name[5];
    snprintf(name, sizeof name, "V%03u", id % 1000);
    aml_device(a, name);
    aml_name(a, "_HID");
    aml_string(a, "LNRO0005");
    aml_name(a, "_UID");
    aml_dword(a, id);
    aml_name(a, "_CCA");
    aml_integer(a, 1);
    aml_name(a, "_CRS");
    aml_resources(a);
    aml_rd_memory32_fixed(a, true, (uint32_t)s.base, (uint32_t)FC_VIRTIO_MMIO_SIZE);
    aml_rd_interrupt(a, true, true, false, false, s.gsi);
    aml_end(a);
    aml_end(a);
}

/* legacy.rs append_aml_bytes. */
static void com1(struct aml *a)
{
    aml_device(a, "_SB_.COM1");
    aml_name(a, "_HID");
    aml_eisa_id(a, "PNP0501");
    aml_name(a, "_UID");
    aml_byte(a, 0);
    aml_name(a, "_DDN");
    aml_string(a, "COM1");
    aml_name(a, "_CRS");
    aml_resources(a);
    aml_rd_interrupt(a, true, true, false, false, FC_COM1_GSI);
    aml_rd_io(a, COM1_PORT, COM1_PORT, 1, COM1_PORTS);
    aml_end(a);
    aml_end(a);
}

static void ps2(struct aml *a)
{
    aml_device(a, "_SB_.PS2_");
    aml_name(a, "_HID");
    aml_eisa_id(a, "PNP0303");
    aml_method(a, "_STA", 0, false);
    aml_return(a);
    aml_byte(a, 0x0F);
    aml_end(a);
    aml_name(a, "_CRS");
    aml_resources(a);
    aml_rd_io(a, I8042_DATA_PORT, I8042_DATA_PORT, 1, 1);
    /* Firecracker: "Fake a command port so Linux stops complaining". */
    aml_rd_io(a, I8042_COMMAND_PORT, I8042_COMMAND_PORT, 1, 1);
    aml_rd_interrupt(a, true, true, false, false, FC_I8042_GSI);
    aml_end(a);
    aml_end(a);
}

size_t fc_dsdt_build(unsigned nvirtio, uint8_t *buf, size_t cap)
{
    struct aml a;
    aml_init(&a, buf, cap);
    for (unsigned i = 0; i < nvirtio; i++)
        virtio_device(&a, i);
    com1(&a);
    ps2(&a);
    return aml_finish(&a);
}
