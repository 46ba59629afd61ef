/* Names of Linux x86-64 system calls (sys/syscall_names.c). */
#ifndef SYS_SYSCALL_NAMES_H
#define SYS_SYSCALL_NAMES_H

#include "sys/linux_abi.h"

extern const char *const sys_call_names[LINUX_NR_COUNT];

#endif
