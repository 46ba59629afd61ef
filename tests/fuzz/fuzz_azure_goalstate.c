/* libFuzzer harness: what Azure's WireServer sends, as an attacker could
 * shape it: the HTTP answer reader (net/azure/http_reply.c) and the goal
 * state reader with the health report built from it (net/azure/goalstate.c).
 *
 * Input: byte 0 picks a prefix length for the HTTP check (as a fraction of
 * the rest); the rest is the server's bytes, read both as an HTTP answer and
 * as a goal state. Invariants:
 *   - an answer read whole is DONE with its body within the bytes and a
 *     status of 200..999, or BAD with a reason, or (open) INCOMPLETE; a
 *     closed connection never leaves it INCOMPLETE; what is DONE while open
 *     is DONE the same way once closed; a prefix of an answer DONE while open
 *     is INCOMPLETE or DONE the same way (the reader never decides early);
 *     putting a chunked body together changes nothing before the body, and
 *     an answer that is not chunked not at all (a chunked one's body is
 *     then also read as a goal state);
 *   - a goal state taken has non-empty ids of at most 128 letters, digits,
 *     '-', '.' and '_', NUL-terminated; its report fits 1 KiB, holds both ids
 *     and the incarnation, and contains exactly the report's own elements
 *     (no '<' or '&' from the ids); the ids written back into a minimal goal
 *     state read back the same.
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_azure_goalstate.c \
 *     net/azure/goalstate.c net/azure/http_reply.c klib/format.c */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/azure/goalstate.h"
#include "net/azure/http_reply.h"
#include "tests/fuzz/fuzz_input.h"

static void check_goal_state(const char *buf, size_t len);

static void check_http(const char *buf, size_t len, uint32_t cut)
{
    struct http_reply open, closed;
    enum http_reply_state so = http_reply_parse(buf, len, false, &open);
    enum http_reply_state sc = http_reply_parse(buf, len, true, &closed);
    BROKEN_IF(sc == HTTP_REPLY_INCOMPLETE);
    BROKEN_IF(sc == HTTP_REPLY_BAD && closed.error == NULL);
    BROKEN_IF(so == HTTP_REPLY_BAD && open.error == NULL);
    if (sc == HTTP_REPLY_DONE) {
        BROKEN_IF(closed.status < 200 || closed.status > 999 || closed.error != NULL);
        BROKEN_IF(closed.body_off > len || closed.body_len > len - closed.body_off);
        /* Put together in a copy of exactly len bytes (ASan sees a stray
         * write); the bytes before the body are left as they were. */
        char *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        http_reply_dechunk(copy, len, &closed);
        BROKEN_IF(memcmp(copy, buf, closed.body_off) != 0);
        BROKEN_IF(!closed.chunked && memcmp(copy, buf, len) != 0);
        if (closed.chunked)
            check_goal_state(copy + closed.body_off, closed.body_len);
        free(copy);
    }
    if (so == HTTP_REPLY_DONE) {
        BROKEN_IF(sc != HTTP_REPLY_DONE || closed.status != open.status ||
                  closed.body_off != open.body_off || closed.body_len != open.body_len);
        size_t n = len * cut / 256;
        struct http_reply part;
        enum http_reply_state sp = http_reply_parse(buf, n, false, &part);
        BROKEN_IF(sp == HTTP_REPLY_BAD);
        BROKEN_IF(sp == HTTP_REPLY_DONE &&
                  (part.body_off != open.body_off || part.body_len != open.body_len));
    }
}

static bool id_ok(const char *id)
{
    size_t n = strnlen(id, AZURE_ID_MAX + 1);
    if (n == 0 || n > AZURE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

static unsigned count(const char *s, char c)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void check_goal_state(const char *buf, size_t len)
{
    struct azure_goalstate gs;
    if (azure_goalstate_parse(buf, len, &gs) != NULL)
        return;
    BROKEN_IF(!id_ok(gs.container_id) || !id_ok(gs.instance_id));
    char report[1024];
    size_t n = azure_health_report(&gs, report, sizeof report);
    BROKEN_IF(n == 0 || n != strlen(report));
    BROKEN_IF(strstr(report, gs.container_id) == NULL || strstr(report, gs.instance_id) == NULL);
    /* The report's own 18 tags (9 elements) and the declaration's '<'. */
    BROKEN_IF(count(report, '<') != 19 || count(report, '&') != 0);
    char inc[16];
    snprintf(inc, sizeof inc, ">%u<", (unsigned)gs.incarnation);
    BROKEN_IF(strstr(report, inc) == NULL);
    char again[1024];
    int m = snprintf(again, sizeof again,
                     "<GoalState><Incarnation>%u</Incarnation><Container><ContainerId>%s"
                     "</ContainerId><RoleInstanceList><RoleInstance><InstanceId>%s</InstanceId>"
                     "</RoleInstance></RoleInstanceList></Container></GoalState>",
                     (unsigned)gs.incarnation, gs.container_id, gs.instance_id);
    struct azure_goalstate back;
    BROKEN_IF(azure_goalstate_parse(again, (size_t)m, &back) != NULL);
    BROKEN_IF(back.incarnation != gs.incarnation ||
              strcmp(back.container_id, gs.container_id) != 0 ||
              strcmp(back.instance_id, gs.instance_id) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint32_t cut = fuzz_take(&in, 1);
    /* A copy of exactly the server's bytes, so ASan sees any read past them. */
    char *buf = malloc(in.n ? in.n : 1);
    memcpy(buf, in.p, in.n);
    check_http(buf, in.n, cut);
    check_goal_state(buf, in.n);
    free(buf);
    return 0;
}
