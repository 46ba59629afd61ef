/* One HTTP/1.1 exchange with the WireServer over lwIP's raw TCP API:
 * connect to port 80, send a request, collect the answer into a bounded
 * buffer until it is complete (net/azure/http_reply.h), close. It never
 * blocks: lwIP's callbacks only record what happened and queue a work item,
 * and the rest (sending, reading the answer, closing, reporting) runs from
 * the event loop, so the app goes on meanwhile. The socket layer
 * (net/socket) is not used: its calls wait, and its descriptors are the
 * app's. One exchange at a time. */
#ifndef NET_AZURE_WIRE_HTTP_H
#define NET_AZURE_WIRE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/ip4_addr.h"
#include "net/azure/http_reply.h"

/* Called once per exchange, from the event loop: error NULL and the answer
 * in reply (its body at buf + reply->body_off), or error a reason. */
typedef void (*wire_http_done)(const char *error, const struct http_reply *reply, const char *buf);

/* Starts an exchange with server:80 that must finish within timeout_ns.
 * request (len bytes) is copied into lwIP at once; buf (cap bytes) takes
 * the answer and must stay until done runs. */
void wire_http_start(const ip4_addr_t *server, const char *request, size_t len, char *buf,
                     size_t cap, uint64_t timeout_ns, wire_http_done done);
/* Drops an exchange under way (done is not called). */
void wire_http_cancel(void);

#endif
