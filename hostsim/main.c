/* hostsim: a test host on the KVM API that reproduces what a virtual machine
 * monitor this machine cannot run offers a guest. `hostsim MODEL [options]`:
 * the model names the machine. Models and device back ends register
 * themselves (registry.h); this file lists none of them. */
#include <stdio.h>
#include <string.h>

#include "hostsim/log.h"
#include "hostsim/options.h"
#include "hostsim/registry.h"
#include "hostsim/status.h"
#include "hostsim/vm.h"

static void usage(FILE *f, const struct hostsim_model *model)
{
    fputs("usage: hostsim MODEL --kernel FILE [options]\n"
          "       hostsim --misbehave help\n"
          "\n"
          "models:\n",
          f);
    for (const struct hostsim_model *const *m = hostsim_models_begin(); m < hostsim_models_end();
         m++)
        fprintf(f, "  %-12s %s\n", (*m)->name, (*m)->summary);
    fputs("\noptions:\n", f);
    hostsim_options_usage(f);
    for (const struct hostsim_model *const *m = hostsim_models_begin(); m < hostsim_models_end();
         m++) {
        if ((*m)->usage != NULL && (model == NULL || model == *m))
            fprintf(f, "\n%s options:\n%s", (*m)->name, (*m)->usage);
    }
    fputs("\ndevice back ends:\n", f);
    for (const struct hostsim_backend *const *b = hostsim_backends_begin();
         b < hostsim_backends_end(); b++)
        fprintf(f, "  %-12s %s\n", (*b)->name, (*b)->summary);
    fputs("\n"
          "stdout carries only the guest's serial output; hostsim's own messages go to\n"
          "stderr, prefixed 'hostsim:'.\n"
          "exit status: the model's (firecracker: 0 after the i8042 reset 0xFE on port\n"
          "0x64, 1 after a triple fault or a KVM error), (2*V+1)&0xff from the exit\n"
          "port, 2 bad arguments, 4 setup failure, 6 the guest broke a virtio rule,\n"
          "8 the guest broke the VMBus protocol (hyperv; stderr says which), 124\n"
          "timeout, 128+N signal N.\n",
          f);
}

int main(int argc, char **argv)
{
    struct hostsim_options o;
    char err[640];
    if (hostsim_parse_options(argc, argv, &o, err, sizeof err) != 0) {
        hs_log("%s", err);
        return HOSTSIM_EXIT_USAGE;
    }
    if (o.help) {
        usage(stdout, o.model ? hostsim_model_find(o.model) : NULL);
        return 0;
    }
    if (o.misbehave_help) {
        hostsim_misbehave_print(stdout);
        return 0;
    }
    hs_verbose = o.verbose;
    return hostsim_vm_run(hostsim_model_find(o.model), &o);
}
