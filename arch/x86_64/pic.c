/* 8259A PICs (Intel 8259A data sheet; the PC wiring: master at 0x20/0x21,
 * slave at 0xA0/0xA1 on master line 2). With APICs in use they are remapped
 * away from the exception vectors and fully masked. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static uint16_t pic_mask = 0xFFFF;

static void pic_write_mask(void)
{
    outb(PIC1_DATA, (uint8_t)pic_mask);
    outb(PIC2_DATA, (uint8_t)(pic_mask >> 8));
}

void pic_init_masked(void)
{
    outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VECTOR_PIC_BASE); /* ICW2: vector base */
    outb(PIC2_DATA, VECTOR_PIC_BASE + 8);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on line 2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    pic_mask = 0xFFFF;
    pic_write_mask();
}

void pic_unmask(unsigned irq)
{
    if (irq >= 16)
        return;
    pic_mask &= (uint16_t) ~(1u << irq);
    if (irq >= 8)
        pic_mask &= (uint16_t) ~(1u << 2);
    pic_write_mask();
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}
