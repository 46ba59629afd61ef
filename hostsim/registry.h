/* How hostsim's parts declare themselves. A machine model or a device back
 * end registers one descriptor where it is written, with
 * HOSTSIM_REGISTER_MODEL / HOSTSIM_REGISTER_BACKEND; the linker gathers the
 * pointers into the sections hostsim_models and hostsim_backends (GNU ld
 * provides __start_SECTION and __stop_SECTION for any section whose name is a
 * C identifier), so main.c lists nothing and a new model is one more file.
 * The shape follows Solo5's tender modules (tenders/hvt/hvt.h,
 * DECLARE_MODULE): a name, options with their usage text, set-up and exit
 * hooks.
 *
 * Pointers, not the descriptors themselves, go into the sections: a pointer
 * array has no padding between entries, whatever the compiler or a sanitizer
 * does to the objects. */
#ifndef HOSTSIM_REGISTRY_H
#define HOSTSIM_REGISTRY_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct hostsim_options;
struct hostsim_vm;
struct cpu_kvm_end_info;

/* A fault a back end injects on purpose (--misbehave KIND), so that tests can
 * prove the guest survives a device that breaks its protocol. `code` is the
 * back end's own number for it; `backend` names the back end that acts. */
struct hostsim_misbehave {
    const char *name;    /* "blk-used-id" */
    const char *backend; /* "virtio-blk" */
    int code;
    const char *about; /* one line */
};

/* A device back end: what --help and --misbehave help print about it, and the
 * faults it can inject (NULL-terminated array, or NULL). A model instantiates
 * back ends itself; this descriptor only makes them known. */
struct hostsim_backend {
    const char *name;
    const char *summary;
    const struct hostsim_misbehave *misbehave;
};

/* Options a model adds to the generic ones: long options for getopt_long
 * (`val` from HOSTSIM_MODEL_OPTION_BASE up, array ended by a zero entry),
 * their --help text, and a parser that stores what it accepts in the
 * model's own state. */
#define HOSTSIM_MODEL_OPTION_BASE 0x1000

/* A machine model. hostsim_vm_run() (vm.c) calls, in order: check, setup,
 * start, then runs the vCPUs, then stop and exit_status. Each hook gets the
 * parsed options; setup builds the VM in vm->kvm and keeps its own state in
 * vm->model_state. */
struct hostsim_model {
    const char *name;
    const char *summary; /* one line for --help */
    const char *usage;   /* lines describing its own options, or NULL */
    const struct option *options;
    /* An option of its own (id = its `val`). Returns 0, or -1 with one
     * line in err that names the option and says what is accepted. */
    int (*option)(int id, const char *arg, char *err, size_t errlen);
    /* The generic options against what the model supports: 0, or -1 after
     * saying why (a usage error, exit status 2). */
    int (*check)(const struct hostsim_options *o);
    /* Builds the VM: 0, or -1 after saying why (exit status 4). */
    int (*setup)(struct hostsim_vm *vm, const struct hostsim_options *o);
    /* Starts and stops the model's threads around the run (optional). */
    int (*start)(struct hostsim_vm *vm);
    void (*stop)(struct hostsim_vm *vm);
    /* The process exit status for how the guest ended: the monitor's own
     * convention (Firecracker: 0 after the i8042 reset, 1 after a triple
     * fault). */
    int (*exit_status)(struct hostsim_vm *vm, const struct cpu_kvm_end_info *end,
                       const struct hostsim_options *o);
};

#define HOSTSIM_REGISTER_MODEL(var)                                                                \
    static const struct hostsim_model *const hostsim_model_ptr_##var                               \
        __attribute__((section("hostsim_models"), used)) = &(var)
#define HOSTSIM_REGISTER_BACKEND(var)                                                              \
    static const struct hostsim_backend *const hostsim_backend_ptr_##var                           \
        __attribute__((section("hostsim_backends"), used)) = &(var)

/* Iteration: for (const struct hostsim_model *const *m = hostsim_models_begin();
 * m < hostsim_models_end(); m++). Both are empty ranges when nothing
 * registered. */
const struct hostsim_model *const *hostsim_models_begin(void);
const struct hostsim_model *const *hostsim_models_end(void);
const struct hostsim_backend *const *hostsim_backends_begin(void);
const struct hostsim_backend *const *hostsim_backends_end(void);

/* Lookups by name; NULL when unknown. */
const struct hostsim_model *hostsim_model_find(const char *name);
const struct hostsim_misbehave *hostsim_misbehave_find(const char *name);

/* "firecracker, hyperv" into buf (for error messages). */
void hostsim_model_names(char *buf, size_t len);
void hostsim_misbehave_names(char *buf, size_t len);

/* `--misbehave help`: one line per kind, "KIND  BACKEND  what it does". */
void hostsim_misbehave_print(FILE *f);

#endif
