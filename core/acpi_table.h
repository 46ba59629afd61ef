/* Shared by the ACPI table parsers (core/acpi*.c); not for other users,
 * who read struct acpi_info (core/acpi.h). ACPI 6.5, 5.2. */
#ifndef CORE_ACPI_TABLE_H
#define CORE_ACPI_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"

#define ACPI_HDR_LEN 36                /* system description table header (5.2.6) */
#define ACPI_TABLE_MAX_LEN (16u << 20) /* no sane firmware table is larger */

uint8_t acpi_checksum(const uint8_t *p, uint64_t len);
/* Printable copy of a 4-byte signature for messages. */
void acpi_sig_text(char out[5], const uint8_t *sig);
/* The table at addr when its header is sound: inside the window, the wanted
 * signature (when want is non-NULL), ACPI_HDR_LEN <= length <=
 * ACPI_TABLE_MAX_LEN, the whole length inside the window, checksum zero.
 * Otherwise NULL, after a message when report is set. */
const uint8_t *acpi_map_table(const struct phys_window *w, uint64_t addr, const char *want,
                              bool report, uint32_t *len_out);

/* The parsers of each table: false when something was malformed (what could
 * be used is kept, and the message is printed). */
bool acpi_parse_madt(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out);
bool acpi_parse_fadt(const struct phys_window *w, const uint8_t *t, uint32_t len, uint64_t addr,
                     struct acpi_info *out);
bool acpi_parse_mcfg(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out);
/* Name(\_S5_, Package) in a DSDT or SSDT (core/aml.c): 1 found (into out),
 * 0 absent, -1 malformed (reported). */
int acpi_scan_s5(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out);

#endif
