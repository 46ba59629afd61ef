/* lwIP's compiler and platform abstraction for the anyvm kernel (lwIP 2.1.3,
 * src/include/lwip/arch.h lists what a port may define here). The kernel is
 * freestanding: the C library headers lwIP would include come from the
 * kernel's klib/include and the compiler's own (stdint.h, stddef.h). */
#ifndef ANYVM_LWIP_ARCH_CC_H
#define ANYVM_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

/* No <sys/time.h>, <inttypes.h> or <limits.h> from a hosted library. Host
 * unit tests (ANYVM_HOST_TEST) build lwIP against the host's C library,
 * whose <limits.h> makes lwIP take ssize_t from <unistd.h> rather than
 * define its own. */
#define LWIP_TIMEVAL_PRIVATE 0
#ifdef ANYVM_HOST_TEST
#include <limits.h>
#else
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1
#endif
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

#ifndef BYTE_ORDER /* the host's <endian.h> may have said so already */
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* Diagnostics go to the kernel log; a failed lwIP assertion is a kernel bug
 * and stops the VM with the place it failed. The place is its file (relative
 * to lwIP's src/: the Makefile maps the prefix) and line in lwIP 2.1.3, which
 * name the assertion exactly; its message text is left out: the messages
 * would add about 8 KiB of strings to every image with a network. */
void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        lwip_port_diag x;                                                                          \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert(__FILE__, __LINE__)

/* Random numbers (TCP initial sequence numbers and ports, DHCP transaction
 * ids, DNS ids and ports) from the kernel's random source (dev/random.h). */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

/* The checksum: the kernel's RFC 1071 routine (net/inet_csum.c), returning
 * the folded, uncomplemented sum in network byte order as lwIP expects. */
uint16_t lwip_port_chksum(const void *data, int len);
#define LWIP_CHKSUM lwip_port_chksum

#endif
