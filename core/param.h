/* Kernel parameters are declared where they are used: KERNEL_PARAM puts the
 * name and a one-line description into a linker table (anyvm_params), so the
 * command-line check knows every parameter this image understands without a
 * central list, and an image without a subsystem does not know its
 * parameters (it says so). Values come from the parsed command line. */
#ifndef CORE_PARAM_H
#define CORE_PARAM_H

#include <stdbool.h>
#include <stdint.h>

struct kernel_param {
    const char *name; /* "pci.list" */
    const char *help; /* "print every PCI function" */
};

#define KERNEL_PARAM(ident, pname, phelp)                                                          \
    static const struct kernel_param ident = {pname, phelp};                                       \
    static const struct kernel_param *const ident##_registration                                   \
        __attribute__((used, section("anyvm_params"), aligned(8))) = &ident

/* The value on the command line ("" for a bare flag), NULL when absent. */
const char *param_value(const struct kernel_param *p);
bool param_present(const struct kernel_param *p);
/* An unsigned number (decimal or 0x hex) between min and max; def when the
 * parameter is absent; def with a log line naming the parameter and the range
 * when the value is malformed or out of range. */
uint64_t param_uint(const struct kernel_param *p, uint64_t def, uint64_t min, uint64_t max);

/* The table (for the command-line check and `help`). */
const struct kernel_param *param_find(const char *name);
const struct kernel_param *const *param_table(unsigned *count);

#endif
