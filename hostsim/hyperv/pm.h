/* The ACPI power-off a Hyper-V VM's guest uses: a PM1a control register in
 * port I/O (ACPI 6.5, 4.8.3.2.1 "PM1 Control Registers": SCI_EN bit 0,
 * SLP_TYPx bits 12:10, SLP_EN bit 13), named by the FADT's PM1a_CNT_BLK,
 * and the \_S5_ package in the DSDT that gives S5's SLP_TYP (7.4.2). A
 * write of SLP_EN with S5's type powers the VM off: hostsim ends with
 * status 0, as a guest shutdown. Reads report SCI_EN set (ACPI mode is on;
 * there is no SMI command port to switch it). Other sleep states are not
 * offered. Beside it, the PM1a event block (4.8.3.1: PM1 status, then
 * enable, 16 bits each), which the FADT must name for Linux to start its
 * ACPI fixed events (and with them its VMBus driver): no event is ever
 * raised, so the status reads 0; the enable bits read back as written. */
#ifndef HOSTSIM_HYPERV_PM_H
#define HOSTSIM_HYPERV_PM_H

#include <stdint.h>

#include "hostsim/cpu/iobus.h"
#include "hostsim/vm_stop.h"

#define HVM_PM1A_EVT_PORT 0x400 /* a PIIX4 PM block at 0x400: events, then control */
#define HVM_PM1_EVT_LEN 4
#define HVM_PM1A_CNT_PORT 0x404
#define HVM_PM1_CNT_LEN 2
#define HVM_SCI_IRQ 9    /* PIIX4's SCI line */
#define HVM_S5_SLP_TYP 0 /* PIIX4's S5 value, as QEMU's pc DSDT gives it */

struct hvm_pm {
    struct vm_stop *stop;
    uint16_t cnt;    /* what the guest wrote, SLP_EN cleared */
    uint16_t enable; /* PM1 enable, as written */
};

/* 0, or -1 when the port is taken. */
int hvm_pm_register(struct hvm_pm *pm, struct vm_stop *stop, struct iobus *pio);
/* The PM1a_CNT write itself (also what the port handler calls). */
void hvm_pm_write(struct hvm_pm *pm, uint16_t value);

#endif
