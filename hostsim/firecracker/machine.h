/* The Firecracker machine model: builds the microVM Firecracker would build
 * for one ELF kernel (with --disk drives and a --tap network interface; no
 * initrd) and runs it. */
#ifndef HOSTSIM_FC_MACHINE_H
#define HOSTSIM_FC_MACHINE_H

#include "hostsim/options.h"

/* Returns the process exit status (Firecracker's, or hostsim's own). */
int firecracker_run(const struct hostsim_options *o);

#endif
