/* hostsim's own process exit statuses, beside the ones each machine model
 * reproduces (Firecracker: 0 after the i8042 reset, 1 after a triple fault).
 * All even, so they never collide with the debug-exit port's (2V+1)&0xff. */
#ifndef HOSTSIM_STATUS_H
#define HOSTSIM_STATUS_H

#define HOSTSIM_EXIT_USAGE 2     /* bad command line */
#define HOSTSIM_EXIT_SETUP 4     /* the VM could not be built (kernel file, KVM) */
#define HOSTSIM_EXIT_VIRTIO 6    /* the guest broke a virtio rule (hostsim/virtio/) */
#define HOSTSIM_EXIT_VMBUS 8     /* the guest broke the VMBus protocol (hostsim/vmbus/) */
#define HOSTSIM_EXIT_TIMEOUT 124 /* --timeout expired (as timeout(1)) */
#define HOSTSIM_EXIT_SIGNAL 128  /* + signal number, for SIGINT/SIGTERM (as a shell) */

#endif
