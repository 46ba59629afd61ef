/* Delivery of the frames lwIP loops back to the host itself (127.0.0.1,
 * ::1, or an interface's own address). With NO_SYS=1 and no
 * LWIP_NETIF_LOOPBACK_MULTITHREADING (which would need lwIP's tcpip
 * thread), lwIP only queues such frames on the interface
 * (netif_loop_output, lwIP 2.1.3 core/netif.c) and delivers them when
 * netif_poll runs; here a work item of the event loop runs it, so a client
 * and a server in one app on 127.0.0.1 reach each other whenever the app
 * waits, as they would through a device. */
#ifndef NET_STACK_LOOPBACK_H
#define NET_STACK_LOOPBACK_H

/* Queues the delivery when any interface holds looped frames. Cheap (a
 * look at each interface); stack_timers_update calls it, so whatever runs
 * lwIP code and then re-arms the timers also gets its looped frames
 * delivered. */
void stack_loopback_kick(void);

#endif
