/* lwIP's err_t (lwIP 2.1.3, include/lwip/err.h) as the errno Linux gives for
 * the same condition (net/socket/sock.h). The calls that know more say so
 * themselves: a reset while connecting is ECONNREFUSED (sock_tcp.c), a send
 * on a closed connection EPIPE, a bind without a free port EADDRINUSE. */
#include "lwip/err.h"
#include "net/socket/sock.h"
#include "sys/linux_abi.h"

static const uint8_t errnos[] = {
    [-ERR_OK] = 0,
    [-ERR_MEM] = LINUX_ENOMEM,        /* no memory for a pcb, segment or pbuf */
    [-ERR_BUF] = LINUX_ENOBUFS,       /* no buffer (or no free local port) */
    [-ERR_TIMEOUT] = LINUX_ETIMEDOUT, /* retransmissions or keepalives went unanswered */
    [-ERR_RTE] = LINUX_ENETUNREACH,   /* no interface routes there */
    [-ERR_INPROGRESS] = LINUX_EINPROGRESS,
    [-ERR_VAL] = LINUX_EINVAL, /* an argument lwIP refuses (a state, an address type) */
    [-ERR_WOULDBLOCK] = LINUX_EAGAIN,
    [-ERR_USE] = LINUX_EADDRINUSE, /* the address and port are taken */
    [-ERR_ALREADY] = LINUX_EALREADY,
    [-ERR_ISCONN] = LINUX_EISCONN,
    [-ERR_CONN] = LINUX_ENOTCONN,
    [-ERR_IF] = LINUX_ENETDOWN, /* the interface would not take the frame */
    [-ERR_ABRT] = LINUX_ECONNABORTED,
    [-ERR_RST] = LINUX_ECONNRESET, /* the peer reset the connection */
    [-ERR_CLSD] = LINUX_ENOTCONN,  /* the connection is closed */
    [-ERR_ARG] = LINUX_EINVAL,
};

int sock_errno(int8_t err)
{
    if (err > 0 || -err >= (int)sizeof errnos)
        return LINUX_EINVAL; /* not an err_t lwIP 2.1.3 defines */
    return errnos[-err];
}
