#include <string.h>

#include "hostsim/acpi/bytes.h"
#include "hostsim/acpi/mptable.h"

#define MPF_SIZE 16
#define MPC_HEADER_SIZE 44
#define MPC_CPU_SIZE 20
#define MPC_SMALL_SIZE 8 /* bus, IOAPIC, interrupt and local interrupt entries */
#define MP_PROCESSOR 0
#define MP_BUS 1
#define MP_IOAPIC 2
#define MP_INTSRC 3
#define MP_LINTSRC 4
#define MP_INT 0
#define MP_NMI 1
#define MP_EXTINT 3
#define APIC_VERSION 0x14
#define CPU_ENABLED 1
#define CPU_BOOTPROCESSOR 2
#define CPU_SIGNATURE 0x600 /* family 6, as Firecracker's CPU_STEPPING */
#define CPU_FEATURES 0x201  /* APIC | FPU */
#define MAX_CPUS 254        /* APIC ids 0..254, one taken by the IOAPIC */

size_t mptable_size(const struct mptable_params *p)
{
    return MPF_SIZE + MPC_HEADER_SIZE + (size_t)MPC_CPU_SIZE * p->ncpus + MPC_SMALL_SIZE /* bus */ +
           MPC_SMALL_SIZE /* IOAPIC */ + (size_t)MPC_SMALL_SIZE * p->nirqs + 2 * MPC_SMALL_SIZE;
}

static void put_padded(uint8_t *dst, const char *s, size_t n)
{
    memset(dst, ' ', n);
    size_t len = strlen(s);
    memcpy(dst, s, len < n ? len : n);
}

size_t mptable_build(uint8_t *buf, size_t cap, uint32_t gpa, const struct mptable_params *prm)
{
    unsigned ncpus = prm->ncpus;
    size_t size = mptable_size(prm);
    if (ncpus == 0 || ncpus > MAX_CPUS || prm->nirqs == 0 || prm->nirqs > 256 ||
        prm->ioapic_id < ncpus || cap < size)
        return 0;
    memset(buf, 0, size);
    uint8_t ioapic_id = prm->ioapic_id;

    /* Floating pointer: length in 16-byte units, spec revision 1.4. */
    uint8_t *mpf = buf;
    memcpy(mpf, "_MP_", 4);
    hs_put32(mpf + 4, gpa + MPF_SIZE);
    mpf[8] = 1;
    mpf[9] = 4;
    mpf[10] = hs_checksum8(mpf, MPF_SIZE);

    uint8_t *mpc = buf + MPF_SIZE, *p = mpc + MPC_HEADER_SIZE;
    uint16_t entries = prm->count_floating_pointer ? 1 : 0;
    for (unsigned i = 0; i < ncpus; i++, p += MPC_CPU_SIZE, entries++) {
        p[0] = MP_PROCESSOR;
        p[1] = (uint8_t)i; /* APIC id */
        p[2] = APIC_VERSION;
        p[3] = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0);
        hs_put32(p + 4, CPU_SIGNATURE);
        hs_put32(p + 8, CPU_FEATURES);
    }
    p[0] = MP_BUS;
    p[1] = 0;
    memcpy(p + 2, "ISA   ", 6);
    p += MPC_SMALL_SIZE, entries++;
    p[0] = MP_IOAPIC;
    p[1] = ioapic_id;
    p[2] = APIC_VERSION;
    p[3] = 1; /* usable */
    hs_put32(p + 4, prm->ioapic_addr);
    p += MPC_SMALL_SIZE, entries++;
    for (unsigned irq = 0; irq < prm->nirqs; irq++, p += MPC_SMALL_SIZE, entries++) {
        p[0] = MP_INTSRC;
        p[1] = MP_INT;
        hs_put16(p + 2, 0); /* polarity and trigger: conforming to the bus */
        p[4] = 0;           /* source bus: ISA */
        p[5] = (uint8_t)irq;
        p[6] = ioapic_id;
        p[7] = (uint8_t)irq;
    }
    p[0] = MP_LINTSRC;
    p[1] = MP_EXTINT;
    p[6] = 0; /* LAPIC 0 */
    p[7] = 0; /* LINT0 */
    p += MPC_SMALL_SIZE, entries++;
    p[0] = MP_LINTSRC;
    p[1] = MP_NMI;
    p[6] = 0xFF; /* all LAPICs */
    p[7] = 1;    /* LINT1 */
    p += MPC_SMALL_SIZE, entries++;

    memcpy(mpc, "PCMP", 4);
    hs_put16(mpc + 4, (uint16_t)(p - mpc)); /* base table length */
    mpc[6] = 4;                             /* spec revision 1.4 */
    put_padded(mpc + 8, prm->oem, 8);
    put_padded(mpc + 16, prm->product, 12);
    hs_put16(mpc + 34, entries);
    hs_put32(mpc + 36, prm->lapic_addr);
    mpc[7] = hs_checksum8(mpc, (size_t)(p - mpc));
    return size;
}
