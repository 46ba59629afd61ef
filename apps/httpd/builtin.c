/* The built-in page and its ready responses (builtin.h). */
#include "builtin.h"

#include <string.h>

/* Our own text; its length is checked below, since the benchmark compares
 * it with nginx's 612-byte page. */
const char builtin_page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<title>anyvm-httpd</title>\n"
    "<style>\n"
    "body { max-width: 36em; margin: 3em auto; padding: 0 1em;\n"
    "       font-family: sans-serif; line-height: 1.5; color: #222; }\n"
    "code { background: #eee; padding: 0 .2em; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<h1>anyvm-httpd is running</h1>\n"
    "<p>This page comes from inside the server: the directory it serves has no\n"
    "<code>index.html</code>. Put one there to replace it.</p>\n"
    "<p>The server is a single-threaded event loop on non-blocking sockets,\n"
    "built into one unikernel image together with the kernel it runs on.</p>\n"
    "</body>\n"
    "</html>\n";

_Static_assert(sizeof builtin_page == BUILTIN_PAGE_LEN + 1, "the built-in page is not 612 bytes");

void builtin_refresh(struct builtin_responses *b, const struct http_date *date)
{
    if (b->made && b->second == date->second)
        return;
    for (int v = 0; v < BUILTIN_VARIANTS; v++) {
        struct http_response r = {
            .status = 200,
            .content_type = "text/html",
            .content_length = BUILTIN_PAGE_LEN,
            .keep_alive = v != BUILTIN_CLOSE,
            .http10 = v == BUILTIN_HTTP10_KEEP_ALIVE,
        };
        size_t n =
            http_response_head(b->bytes[v], BUILTIN_RESPONSE_MAX - BUILTIN_PAGE_LEN, &r, date);
        /* The head is a few fields of fixed size: it always fits. */
        memcpy(b->bytes[v] + n, builtin_page, BUILTIN_PAGE_LEN);
        b->head_len[v] = n;
        b->len[v] = n + BUILTIN_PAGE_LEN;
    }
    b->second = date->second;
    b->made = true;
}
