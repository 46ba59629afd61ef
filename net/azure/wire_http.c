/* The WireServer's HTTP exchange (net/azure/wire_http.h). */
#include "net/azure/wire_http.h"

#include <stdbool.h>

#include "core/event.h"
#include "core/time.h"
#include "klib/format.h"
#include "lwip/tcp.h"
#include "net/stack/timers.h"

#define WIRESERVER_PORT 80

static struct {
    struct tcp_pcb *pcb;
    wire_http_done done; /* NULL when no exchange is under way */
    const char *request;
    size_t request_len;
    char *buf;
    size_t cap, len;
    bool connected, sent, closed, overflow;
    err_t error; /* what lwIP's error callback said (the pcb is gone), ERR_OK if nothing */
} x;

static char reason[96];

/* Lets go of the connection: lwIP finishes the close alone. */
static void release(void)
{
    struct tcp_pcb *pcb = x.pcb;
    x.pcb = NULL;
    if (pcb == NULL)
        return;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL); /* lwIP's default then drops what still arrives */
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
    stack_timers_update();
}

static void finish(const char *error, const struct http_reply *reply);

static void on_timeout(struct timer *t)
{
    (void)t;
    finish("no complete answer in time", NULL);
}

static struct timer deadline = {.fn = on_timeout};

static void finish(const char *error, const struct http_reply *reply)
{
    wire_http_done done = x.done;
    x.done = NULL;
    timer_cancel(&deadline);
    release();
    if (done != NULL)
        done(error, reply, x.buf);
}

static const char *lwip_error_text(err_t e)
{
    switch (e) {
    case ERR_RST:
        return "reset (refused?)";
    case ERR_ABRT:
        return "aborted (no answer to the retransmissions?)";
    case ERR_RTE:
        return "no route to the server";
    case ERR_MEM:
        return "out of memory";
    default:
        return "failed";
    }
}

/* Everything after lwIP's callbacks, from the event loop. */
static void progress(struct work *w)
{
    (void)w;
    if (x.done == NULL)
        return;
    if (x.error != ERR_OK) {
        ksnprintf(reason, sizeof reason, "connection %s (lwIP error %d)", lwip_error_text(x.error),
                  (int)x.error);
        finish(reason, NULL);
        return;
    }
    if (x.connected && !x.sent) {
        x.sent = true;
        err_t e = tcp_write(x.pcb, x.request, (u16_t)x.request_len, TCP_WRITE_FLAG_COPY);
        if (e == ERR_OK)
            e = tcp_output(x.pcb);
        stack_timers_update();
        if (e != ERR_OK) {
            ksnprintf(reason, sizeof reason, "the request could not be sent (lwIP error %d)",
                      (int)e);
            finish(reason, NULL);
            return;
        }
    }
    if (x.overflow) {
        ksnprintf(reason, sizeof reason, "the answer is longer than %u bytes", (unsigned)x.cap);
        finish(reason, NULL);
        return;
    }
    if (x.len == 0 && !x.closed)
        return;
    struct http_reply reply;
    switch (http_reply_parse(x.buf, x.len, x.closed, &reply)) {
    case HTTP_REPLY_INCOMPLETE:
        return;
    case HTTP_REPLY_BAD:
        finish(reply.error, NULL);
        return;
    case HTTP_REPLY_DONE:
        http_reply_dechunk(x.buf, x.len, &reply);
        finish(NULL, &reply);
        return;
    }
}

static struct work work = WORK_INIT(progress);

/* ---- lwIP's callbacks: they record and queue the work, nothing more ---- */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg, (void)pcb, (void)err; /* err is always ERR_OK (lwIP 2.1.3 tcp_in.c) */
    x.connected = true;
    work_queue(&work);
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)err;
    if (p == NULL) {
        x.closed = true; /* the server's FIN */
    } else {
        if (x.len + p->tot_len > x.cap)
            x.overflow = true;
        else
            x.len += pbuf_copy_partial(p, x.buf + x.len, p->tot_len, 0);
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    work_queue(&work);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    (void)arg;
    x.pcb = NULL; /* lwIP has freed it */
    x.error = err != ERR_OK ? err : ERR_ABRT;
    work_queue(&work);
}

void wire_http_start(const ip4_addr_t *server, const char *request, size_t len, char *buf,
                     size_t cap, uint64_t timeout_ns, wire_http_done done)
{
    wire_http_cancel();
    x.done = done;
    x.request = request;
    x.request_len = len;
    x.buf = buf;
    x.cap = cap;
    x.len = 0;
    x.connected = x.sent = x.closed = x.overflow = false;
    x.error = ERR_OK;
    timer_arm(&deadline, time_now_ns() + timeout_ns);
    x.pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (x.pcb == NULL) {
        x.error = ERR_MEM;
        work_queue(&work);
        return;
    }
    tcp_arg(x.pcb, NULL);
    tcp_recv(x.pcb, on_recv);
    tcp_err(x.pcb, on_err);
    ip_addr_t a;
    ip_addr_copy_from_ip4(a, *server);
    err_t e = tcp_connect(x.pcb, &a, WIRESERVER_PORT, on_connected);
    stack_timers_update();
    if (e != ERR_OK) {
        x.error = e; /* the pcb is still ours: release() closes it */
        work_queue(&work);
    }
}

void wire_http_cancel(void)
{
    x.done = NULL;
    timer_cancel(&deadline);
    work_cancel(&work);
    release();
}
