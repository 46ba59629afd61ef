/* The kernel's one reader of ACPI Machine Language (ACPI 6.5, chapter 20
 * "ACPI Machine Language Specification"; 6.4 "Resource Data Types"). Not an
 * interpreter: it decodes the declarative parts firmware uses to describe
 * devices and sleep states:
 *   - Device objects found by _HID or _CID (a string such as "LNRO0005" or
 *     "VMBUS", or an EISA ID such as PNP0501), their _STA when it is a
 *     constant, and their _CRS resource template (memory, I/O ports,
 *     interrupts) when it is a constant Buffer;
 *   - Name (\_S5_, Package () {...}) for the soft-off sleep type.
 * Values computed by methods are reported as such and not run. Pure logic:
 * every length is checked against the block, and the work is bounded, so a
 * malformed or hostile table is reported and survived (host tests and a
 * fuzzer drive it). Used by the ACPI table parser (\_S5_), virtio-mmio
 * (LNRO0005) and later VMBus (VMBUS), COM ports (PNP0501), ... */
#ifndef CORE_AML_H
#define CORE_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_RESOURCES 8 /* of each kind per device */

struct aml_mem {
    uint64_t base, size;
};
struct aml_io {
    uint16_t base, size;
};
struct aml_irq {
    uint32_t number; /* a GSI (Extended Interrupt) or an ISA IRQ (IRQ descriptor) */
    bool level, active_low;
};

/* What a _CRS declares, in template order. */
struct aml_resources {
    struct aml_mem mem[AML_MAX_RESOURCES]; /* Memory32Fixed, Memory32, DWord/QWord memory */
    unsigned nmem;
    struct aml_io io[AML_MAX_RESOURCES]; /* IO, FixedIO */
    unsigned nio;
    struct aml_irq irq[AML_MAX_RESOURCES]; /* IRQ, IRQNoFlags, Extended Interrupt */
    unsigned nirq;
};

/* A device whose _HID or _CID matched. */
struct aml_device {
    char name[5];      /* its last NameSeg ("VR23") */
    const char *table; /* "DSDT", "SSDT0", ... for messages */
    const char *who;   /* the caller's prefix for messages ("virtio-mmio") */
    size_t offset;     /* of its DeviceOp in the block */
    struct aml_resources res;
};

/* Calls found() for every Device in the block (a table without its 36-byte
 * header) whose _HID, or one of its _CIDs, is id, that _STA does not declare
 * absent and whose _CRS decodes. A matching device whose _CRS is missing, a
 * method, or malformed is reported ("<who>: <table> device <name>: <why>;
 * skipped") and not passed on. Returns the number of calls. */
unsigned aml_find_devices(const uint8_t *aml, size_t len, const char *table, const char *who,
                          const char *id, void (*found)(const struct aml_device *d, void *ctx),
                          void *ctx);
/* For found(): reports the device as skipped, in the same form. */
void aml_skip(const struct aml_device *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Name (\_S5_, Package () {a, b, ...}) in a block: 1 with the two SLP_TYP
 * values (one element names both), 0 when there is none, -1 when it is
 * malformed, with *why (a phrase: "runs past the end of the table") and
 * *offset (where the name is) set. */
int aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb,
                const char **why, size_t *offset);

/* Primitives, for tests. PkgLength (20.2.4) at pos within [pos, limit):
 * NULL and the body and end offsets, or what is wrong. */
const char *aml_pkg_length(const uint8_t *a, size_t pos, size_t limit, size_t *body, size_t *end);
/* 6.1.5: an EISA ID integer as its seven characters ("PNP0501"). */
void aml_eisa_id(uint32_t v, char out[8]);

#endif
