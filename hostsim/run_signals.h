/* The signals of a hostsim run: SIGALRM, SIGINT and SIGTERM end it, SIGUSR1
 * brings a vCPU thread out of KVM_RUN (cpu/cpu_kvm_run.c catches them). Only
 * the vCPU threads may take them: a thread that starts another thread
 * blocks them around pthread_create, and the new thread inherits that mask
 * (pthread_create(3), "The new thread inherits a copy of the creating
 * thread's signal mask"). */
#ifndef HOSTSIM_RUN_SIGNALS_H
#define HOSTSIM_RUN_SIGNALS_H

#include <pthread.h>
#include <signal.h>

static inline void hs_run_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGALRM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGUSR1);
}

/* Blocks them in the calling thread; *old receives the mask to restore
 * (pthread_sigmask(SIG_SETMASK, old, NULL)). */
static inline void hs_block_run_signals(sigset_t *old)
{
    sigset_t block;
    hs_run_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, old);
}

#endif
