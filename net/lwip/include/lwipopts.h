/* lwIP configuration for the anyvm kernel (lwIP 2.1.3; each option is
 * explained in src/include/lwip/opt.h, the defaults it overrides are there).
 *
 * Execution: NO_SYS=1, the "mainloop" mode of lwIP's documentation
 * (doc/doxygen/main_page.h): received frames, timeouts and the socket calls
 * all run in thread context from the kernel's one event loop
 * (core/event.h), never in an interrupt handler, so lwIP needs no locks
 * (SYS_LIGHTWEIGHT_PROT 0). The socket layer is the kernel's own, on the raw
 * API (net/socket/); docs/architecture.md says why. */
#ifndef ANYVM_LWIPOPTS_H
#define ANYVM_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: lwIP's heap and pools come from the kernel's allocator
 * (klib/malloc.c), so they grow with the VM's memory instead of fixed
 * arrays sized for a microcontroller. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_TCP_SEG 65535
#define MEMP_NUM_PBUF 4096
#define MEMP_NUM_REASSDATA 32
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_ND6_QUEUE 64
#define PBUF_POOL_SIZE 256
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
/* Packets held per neighbour while its address resolves (lwIP drops the
 * oldest beyond it, uncounted): a burst to a new peer must not lose its start. */
#define ARP_QUEUE_LEN 64
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_NUM_DESTINATIONS 32

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_RAW 0
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 3
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_MLD 1
#define LWIP_ICMP6 1
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 1
#define LWIP_IPV6_DHCP6 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit in the 8-byte fragment header */
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0

/* TCP sized for a server: full Ethernet segments, a scaled window of 256
 * KiB, a send buffer of the same size, out-of-order queueing with SACK. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* Writable again when this much is free (opt.h requires it below 0xffff - 4 MSS). */
#define TCP_SNDLOWAT 32768
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0
#define SO_REUSE 1

/* Netifs: one per network device, each with its own checksum settings so
 * that what the device offers is used; status callbacks for the banner's
 * address lines and the link state from the device. */
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
/* Frames looped back wait on the interface until the event loop delivers
 * them (net/stack/loopback.h): room for a client and a server in one app
 * each filling a 256 KiB window with its acknowledgements (about 720
 * frames), so a transfer over 127.0.0.1 loses nothing; the bound keeps an
 * app that sends to itself without ever waiting from eating the heap. */
#define LWIP_LOOPBACK_MAX_PBUFS 1024
#define LWIP_NUM_NETIF_CLIENT_DATA 1

/* Statistics: the drop counters per cause behind the net.stats line. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LWIP_STATS_LARGE 1 /* 32-bit counters: 16 bits wrap in seconds under load */
#define LINK_STATS 1
#define ETHARP_STATS 1
#define IP_STATS 1
#define IPFRAG_STATS 1
#define ICMP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
#define IP6_STATS 1
#define ICMP6_STATS 1
#define IP6_FRAG_STATS 1
#define ND6_STATS 1
#define MEM_STATS 0
#define MEMP_STATS 1 /* counts per pool, for the net.stats memory line */
#define SYS_STATS 0
#define MIB2_STATS 0

#define LWIP_DEBUG 0
#define LWIP_ERRNO_STDINCLUDE 0
#define LWIP_PROVIDE_ERRNO 0

#endif
