/* Content-Type by file extension (mime.h). The media types are the IANA
 * registrations (RFC 6838 registry): text/html for HTML, text/css (RFC
 * 2318), text/javascript (RFC 9239), application/json (RFC 8259),
 * image/svg+xml (SVG 1.1), application/wasm (WebAssembly Core
 * Specification, appendix), image/vnd.microsoft.icon for .ico, and
 * application/octet-stream (RFC 2046 section 4.5.1) for anything else. No
 * charset parameter: the server does not know how a file is encoded. */
#include "mime.h"

#include <string.h>

struct mime_entry {
    const char *ext;
    const char *type;
};

static const struct mime_entry mime_table[] = {
    {"html", "text/html"},        {"htm", "text/html"},       {"txt", "text/plain"},
    {"css", "text/css"},          {"js", "text/javascript"},  {"json", "application/json"},
    {"png", "image/png"},         {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},         {"svg", "image/svg+xml"},   {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"}, {"pdf", "application/pdf"},
};

#define MIME_DEFAULT "application/octet-stream"
#define MIME_MAX_EXT 8

const char *http_mime_type(const char *path, size_t len)
{
    size_t dot = len;
    while (dot > 0 && path[dot - 1] != '.' && path[dot - 1] != '/')
        dot--;
    if (dot == 0 || path[dot - 1] != '.')
        return MIME_DEFAULT;
    size_t n = len - dot;
    if (n == 0 || n > MIME_MAX_EXT)
        return MIME_DEFAULT;
    char ext[MIME_MAX_EXT + 1];
    for (size_t i = 0; i < n; i++) {
        char c = path[dot + i];
        ext[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    ext[n] = '\0';
    for (size_t i = 0; i < sizeof mime_table / sizeof mime_table[0]; i++)
        if (strcmp(ext, mime_table[i].ext) == 0)
            return mime_table[i].type;
    return MIME_DEFAULT;
}
