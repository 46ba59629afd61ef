/* AML decoding primitives (ACPI 6.5, 20.2), shared by core/aml_*.c. */
#ifndef CORE_AML_DECODE_H
#define CORE_AML_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AML opcodes (20.3). */
#define OP_ZERO 0x00
#define OP_ONE 0x01
#define OP_NAME 0x08
#define OP_BYTE 0x0A
#define OP_WORD 0x0B
#define OP_DWORD 0x0C
#define OP_STRING 0x0D
#define OP_QWORD 0x0E
#define OP_SCOPE 0x10
#define OP_BUFFER 0x11
#define OP_PACKAGE 0x12
#define OP_VAR_PACKAGE 0x13
#define OP_METHOD 0x14
#define OP_DUAL_NAME 0x2E
#define OP_MULTI_NAME 0x2F
#define OP_ROOT_CHAR 0x5C
#define OP_EXT 0x5B
#define OP_IF 0xA0
#define OP_ELSE 0xA1
#define OP_WHILE 0xA2
#define OP_ONES 0xFF
#define EXT_FIELD 0x81
#define EXT_DEVICE 0x82
#define EXT_PROCESSOR 0x83
#define EXT_POWER_RES 0x84
#define EXT_THERMAL_ZONE 0x85

/* PkgLength at pos decodes and fits within limit (aml_pkg_length). */
bool aml_pkg_ok(const uint8_t *a, size_t pos, size_t limit, size_t *body, size_t *end);
/* NameSeg (20.2.2): a lead character then three name characters. */
bool aml_name_seg(const uint8_t *p);
/* NameString (20.2.2) at pos within limit; last gets its final NameSeg ("" for
 * the null name). Returns false when it does not decode. */
bool aml_name_string(const uint8_t *a, size_t pos, size_t limit, size_t *next, char last[5]);
/* Length of the data object at pos (20.2.3 DataObject; Buffer and Package
 * by PkgLength), or 0 when it is not one this reader understands. */
size_t aml_data_object(const uint8_t *a, size_t pos, size_t limit);
/* Integer value of the data object at [pos, end) (Zero, One, Ones,
 * Byte..QWord constants). */
bool aml_integer_value(const uint8_t *a, size_t pos, size_t end, uint64_t *v);

#endif
