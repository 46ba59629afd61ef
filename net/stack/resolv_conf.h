/* /etc/resolv.conf and /etc/hosts for the C library's resolver (musl's
 * getaddrinfo reads them, as on Linux: resolv.conf(5), hosts(5)), written
 * by the kernel from the DNS servers it knows (net.dns=, or DHCP's) into
 * the app's file tree (sys_files_generate). An initrd that has its own
 * keeps them. */
#ifndef NET_STACK_RESOLV_CONF_H
#define NET_STACK_RESOLV_CONF_H

/* Writes both files again; call when the DNS servers may have changed. */
void resolv_conf_update(void);

#endif
