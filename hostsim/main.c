/* hostsim: a test host on the KVM API that reproduces what a virtual machine
 * monitor this machine cannot run (Firecracker; later Hyper-V) offers a
 * guest. `hostsim MODEL [options]`: the model names the machine. */
#include <stdio.h>
#include <string.h>

#include "hostsim/firecracker/machine.h"
#include "hostsim/log.h"
#include "hostsim/options.h"
#include "hostsim/status.h"

struct hostsim_model {
    const char *name;
    const char *summary;
    int (*run)(const struct hostsim_options *o); /* returns the process exit status */
};

static const struct hostsim_model models[] = {
    {"firecracker",
     "Firecracker's x86_64 boot contract (PVH or Linux 64-bit boot, COM1, i8042,\n"
     "               virtio-mmio block and net)",
     firecracker_run},
};

static void usage(FILE *f)
{
    fputs("usage: hostsim MODEL --kernel FILE [options]\n"
          "\n"
          "models:\n",
          f);
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        fprintf(f, "  %-12s %s\n", models[i].name, models[i].summary);
    fputs("\n"
          "options:\n"
          "  --kernel FILE      ELF image to boot (required)\n"
          "  --cmdline STRING   the monitor's boot arguments (Firecracker: boot_args;\n"
          "                     it appends pci=off before any ' -- ' init arguments)\n"
          "  --mem SIZE         guest RAM, e.g. 128M, 1G; a bare number is MiB (default 128M)\n"
          "  --cpus N           vCPUs (default 1); only vCPU 0 starts, the others wait\n"
          "                     for INIT/SIPI\n"
          "  --boot pvh|linux   boot protocol (default: pvh when the ELF has the PVH note)\n"
          "  --exit-port PORT   a write of V to this port ends hostsim with status\n"
          "                     (2*V+1)&0xff, like QEMU's isa-debug-exit (default: none)\n"
          "  --timeout SECONDS  stop the guest after this long, status 124 (default: none)\n"
          "  --disk FILE[,ro][,root]  a virtio-blk device on FILE (repeatable); ro: read-only,\n"
          "                     root: Firecracker's root device (attached first, root=/dev/vda)\n"
          "  --tap NAME         a virtio-net device on the existing TAP interface NAME\n"
          "  --mac MAC          the net device's guest MAC (feature MAC), e.g. 06:00:ac:10:00:02\n"
          "  --mtu N            the net device's MTU (feature MTU), 68-65535\n"
          "  --misbehave KIND   test fault: the first virtio-blk device breaks its protocol\n"
          "                     on purpose (blk-used-id, blk-used-len, blk-used-idx:\n"
          "                     its first IN/OUT completion; blk-status: every IN/OUT\n"
          "                     status byte is 0x7f) or the virtio-net device does, on\n"
          "                     the first frame it delivers (net-used-len, net-used-id,\n"
          "                     net-num-buffers: 200, net-num-buffers-0); off by default\n"
          "  --verbose, -v      report setup, unclaimed accesses and how the guest ended\n"
          "  --help, -h         this text\n"
          "\n"
          "stdout carries only the guest's serial output; hostsim's own messages go to\n"
          "stderr, prefixed 'hostsim:'.\n"
          "exit status: the model's (firecracker: 0 after the i8042 reset 0xFE on port\n"
          "0x64, 1 after a triple fault or a KVM error), (2*V+1)&0xff from the exit\n"
          "port, 2 bad arguments, 4 setup failure, 6 the guest broke a virtio rule\n"
          "(stderr says which), 124 timeout, 128+N signal N.\n",
          f);
}

int main(int argc, char **argv)
{
    struct hostsim_options o;
    char err[256];
    if (hostsim_parse_options(argc, argv, &o, err, sizeof err) != 0) {
        hs_log("%s", err);
        return HOSTSIM_EXIT_USAGE;
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    hs_verbose = o.verbose != 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        if (strcmp(models[i].name, o.model) == 0)
            return models[i].run(&o);
    }
    char known[128] = "";
    for (size_t i = 0, used = 0; i < sizeof models / sizeof models[0]; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 models[i].name);
    hs_log("unknown machine model '%s' (known: %s)", o.model, known);
    return HOSTSIM_EXIT_USAGE;
}
