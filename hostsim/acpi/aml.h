/* A small AML writer (ACPI 6.5, chapter 20 "ACPI Machine Language (AML)
 * Specification"; resource descriptors from 6.4 "Resource Data Types for
 * ACPI") for the definition blocks hostsim's machine models put in their
 * DSDT, and for host tests that need AML. It writes into a caller's buffer;
 * objects that carry a PkgLength (Scope, Device, Method, Package, Buffer)
 * are opened and closed, and their length is filled in when they close.
 *
 * Errors are sticky: a full buffer, an unbalanced end, a bad name or value
 * set a.error, later calls do nothing, and hs_aml_finish returns 0. So a caller
 * writes a whole block and checks once.
 *
 *   struct hs_aml a;
 *   hs_aml_init(&a, buf, sizeof buf);
 *   hs_aml_device(&a, "_SB_.COM1");
 *     hs_aml_name(&a, "_HID"); hs_aml_eisa_id(&a, "PNP0501");
 *     hs_aml_name(&a, "_CRS"); hs_aml_resources(&a);
 *       hs_aml_rd_io(&a, 0x3F8, 0x3F8, 1, 8);
 *       hs_aml_rd_irq_noflags(&a, 1u << 4);
 *     hs_aml_end(&a);
 *   hs_aml_end(&a);
 *   size_t len = hs_aml_finish(&a);
 *
 * Pure logic. */
#ifndef HOSTSIM_ACPI_AML_H
#define HOSTSIM_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_AML_MAX_DEPTH 16

struct hs_aml {
    uint8_t *buf;
    size_t cap, len;
    bool error;
    unsigned depth;
    struct {
        size_t body; /* where the object's body starts (after its opcode) */
        bool buffer; /* a resource template: BufferSize and End Tag added at close */
    } open[HS_AML_MAX_DEPTH];
};

void hs_aml_init(struct hs_aml *a, uint8_t *buf, size_t cap);
/* Length written, or 0 after any error or with an object still open. */
size_t hs_aml_finish(struct hs_aml *a);

/* ---- named objects with a body: close each with hs_aml_end ---- */
/* Paths: NameSegs of 1-4 characters (A-Z, 0-9, '_'; not a digit first)
 * separated by '.', padded with '_' to 4 (as ASL does), optionally after a
 * leading '\' (the root) or '^'s (parents): "\_SB_", "_SB_.COM1", "PS2". */
void hs_aml_scope(struct hs_aml *a, const char *path);  /* 20.2.5.1 */
void hs_aml_device(struct hs_aml *a, const char *path); /* 20.2.5.2 */
void hs_aml_method(struct hs_aml *a, const char *path, unsigned nargs,
                   bool serialized); /* 20.2.5.2 */
/* Package (nelements) { ... }: the elements follow, then hs_aml_end. */
void hs_aml_package(struct hs_aml *a, unsigned nelements); /* 20.2.5.4 */
/* ResourceTemplate () { ... }: a Buffer of descriptors; hs_aml_end adds the
 * End Tag (checksum 0: "treated as if the checksum is valid", 6.4.2.9) and
 * the BufferSize. */
void hs_aml_resources(struct hs_aml *a);
void hs_aml_end(struct hs_aml *a);

/* ---- simple terms ---- */
void hs_aml_name(struct hs_aml *a, const char *path); /* Name (path, <next term>) */
void hs_aml_return(struct hs_aml *a);                 /* Return (<next term>) */
/* Integers: the shortest encoding (Zero, One, Ones for ~0, BytePrefix,
 * WordPrefix, DWordPrefix, QWordPrefix), or a fixed one. */
void hs_aml_integer(struct hs_aml *a, uint64_t v);
void hs_aml_byte(struct hs_aml *a, uint8_t v);
void hs_aml_word(struct hs_aml *a, uint16_t v);
void hs_aml_dword(struct hs_aml *a, uint32_t v);
void hs_aml_qword(struct hs_aml *a, uint64_t v);
/* A String (ASCII 0x01-0x7F, NUL added). */
void hs_aml_string(struct hs_aml *a, const char *s);
/* EISAID ("PNP0501"): three letters A-Z and four hex digits compressed into
 * a DWord (19.6.35 "EISAID"; _HID 6.1.5, _CID 6.1.2). */
void hs_aml_eisa_id(struct hs_aml *a, const char *id);
/* The compressed value itself, or 0 when id is malformed. */
uint32_t hs_aml_eisa_id_value(const char *id);

/* ---- resource descriptors, inside hs_aml_resources ---- */
/* IRQ Descriptor without flags (6.4.2.1, length 2): edge, active high,
 * exclusive; mask bit n = ISA IRQ n. */
void hs_aml_rd_irq_noflags(struct hs_aml *a, uint16_t mask);
/* I/O Port Descriptor (6.4.2.5), 16-bit decode. */
void hs_aml_rd_io(struct hs_aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* 32-Bit Fixed Memory Range Descriptor (6.4.3.4). */
void hs_aml_rd_memory32_fixed(struct hs_aml *a, bool writable, uint32_t base, uint32_t len);
/* Extended Interrupt Descriptor (6.4.3.6) with one interrupt number. */
void hs_aml_rd_interrupt(struct hs_aml *a, bool consumer, bool edge, bool active_low, bool shared,
                         uint32_t gsi);

#endif
