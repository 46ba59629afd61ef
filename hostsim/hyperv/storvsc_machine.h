/* The Hyper-V machine's disks: each --disk FILE[,ro] becomes a LUN of a
 * storvsc controller (hostsim/vmbus/storvsc.h), in command-line order: LUN
 * 0, 1, ... of the first controller, and once it holds --scsi-luns disks
 * (default 64, Hyper-V's per SCSI controller), the next ones go to a second
 * controller, a second storvsc offer with its own instance GUID. A file
 * must be a whole number of 512-byte blocks; ,ro opens it read-only and the
 * disk refuses writes (DATA PROTECT). */
#ifndef HOSTSIM_HYPERV_STORVSC_MACHINE_H
#define HOSTSIM_HYPERV_STORVSC_MACHINE_H

#include "hostsim/hyperv/vmbus_machine.h"
#include "hostsim/options.h"
#include "hostsim/vmbus/storvsc.h"

#define HVM_STORVSC_CONTROLLERS 2

struct hvm_storvsc {
    struct storvsc_host ctl[HVM_STORVSC_CONTROLLERS];
    unsigned nctl;
    int fd[HOSTSIM_MAX_DISKS];
    unsigned nfd;
};

/* Whether ndisks fit luns_per_controller LUNs on the controllers there
 * are; -1 after saying why. */
int hvm_storvsc_check(unsigned ndisks, unsigned luns_per_controller);
/* Opens the disks and offers the controllers on b. misbehave: a storvsc
 * fault for the first controller (0: none). 0, or -1 after saying why. */
int hvm_storvsc_attach(struct hvm_storvsc *s, struct hvm_vmbus *b, const struct hostsim_options *o,
                       unsigned luns_per_controller, int misbehave);
void hvm_storvsc_stop(struct hvm_storvsc *s);

#endif
