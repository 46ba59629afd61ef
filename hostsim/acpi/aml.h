/* A small AML writer (ACPI 6.5, chapter 20 "ACPI Machine Language (AML)
 * Specification"; resource descriptors from 6.4 "Resource Data Types for
 * ACPI") for the definition blocks hostsim's machine models put in their
 * DSDT, and for host tests that need AML. It writes into a caller's buffer;
 * objects that carry a PkgLength (Scope, Device, Method, Package, Buffer)
 * are opened and closed, and their length is filled in when they close.
 *
 * Errors are sticky: a full buffer, an unbalanced end, a bad name or value
 * set a.error, later calls do nothing, and aml_finish returns 0. So a caller
 * writes a whole block and checks once.
 *
 *   struct aml a;
 *   aml_init(&a, buf, sizeof buf);
 *   aml_device(&a, "_SB_.COM1");
 *     aml_name(&a, "_HID"); aml_eisa_id(&a, "PNP0501");
 *     aml_name(&a, "_CRS"); aml_resources(&a);
 *       aml_rd_io(&a, 0x3F8, 0x3F8, 1, 8);
 *       aml_rd_irq_noflags(&a, 1u << 4);
 *     aml_end(&a);
 *   aml_end(&a);
 *   size_t len = aml_finish(&a);
 *
 * Pure logic. */
#ifndef HOSTSIM_ACPI_AML_H
#define HOSTSIM_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16

struct aml {
    uint8_t *buf;
    size_t cap, len;
    bool error;
    unsigned depth;
    struct {
        size_t body; /* where the object's body starts (after its opcode) */
        bool buffer; /* a resource template: BufferSize and End Tag added at close */
    } open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
/* Length written, or 0 after any error or with an object still open. */
size_t aml_finish(struct aml *a);

/* ---- named objects with a body: close each with aml_end ---- */
/* Paths: NameSegs of 1-4 characters (A-Z, 0-9, '_'; not a digit first)
 * separated by '.', padded with '_' to 4 (as ASL does), optionally after a
 * leading '\' (the root) or '^'s (parents): "\_SB_", "_SB_.COM1", "PS2". */
void aml_scope(struct aml *a, const char *path);                                   /* 20.2.5.1 */
void aml_device(struct aml *a, const char *path);                                  /* 20.2.5.2 */
void aml_method(struct aml *a, const char *path, unsigned nargs, bool serialized); /* 20.2.5.2 */
/* Package (nelements) { ... }: the elements follow, then aml_end. */
void aml_package(struct aml *a, unsigned nelements); /* 20.2.5.4 */
/* ResourceTemplate () { ... }: a Buffer of descriptors; aml_end adds the
 * End Tag (checksum 0: "treated as if the checksum is valid", 6.4.2.9) and
 * the BufferSize. */
void aml_resources(struct aml *a);
void aml_end(struct aml *a);

/* ---- simple terms ---- */
void aml_name(struct aml *a, const char *path); /* Name (path, <next term>) */
void aml_return(struct aml *a);                 /* Return (<next term>) */
/* Integers: the shortest encoding (Zero, One, Ones for ~0, BytePrefix,
 * WordPrefix, DWordPrefix, QWordPrefix), or a fixed one. */
void aml_integer(struct aml *a, uint64_t v);
void aml_byte(struct aml *a, uint8_t v);
void aml_word(struct aml *a, uint16_t v);
void aml_dword(struct aml *a, uint32_t v);
void aml_qword(struct aml *a, uint64_t v);
/* A String (ASCII 0x01-0x7F, NUL added). */
void aml_string(struct aml *a, const char *s);
/* EISAID ("PNP0501"): three letters A-Z and four hex digits compressed into
 * a DWord (19.6.35 "EISAID"; _HID 6.1.5, _CID 6.1.2). */
void aml_eisa_id(struct aml *a, const char *id);
/* The compressed value itself, or 0 when id is malformed. */
uint32_t aml_eisa_id_value(const char *id);

/* ---- resource descriptors, inside aml_resources ---- */
/* IRQ Descriptor without flags (6.4.2.1, length 2): edge, active high,
 * exclusive; mask bit n = ISA IRQ n. */
void aml_rd_irq_noflags(struct aml *a, uint16_t mask);
/* I/O Port Descriptor (6.4.2.5), 16-bit decode. */
void aml_rd_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* 32-Bit Fixed Memory Range Descriptor (6.4.3.4). */
void aml_rd_memory32_fixed(struct aml *a, bool writable, uint32_t base, uint32_t len);
/* Extended Interrupt Descriptor (6.4.3.6) with one interrupt number. */
void aml_rd_interrupt(struct aml *a, bool consumer, bool edge, bool active_low, bool shared,
                      uint32_t gsi);

#endif
