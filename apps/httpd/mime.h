/* The Content-Type of a served file, from its name's extension. */
#ifndef HTTPD_MIME_H
#define HTTPD_MIME_H

#include <stddef.h>

/* The media type for the file name path[0..len) (RFC 9110 section 8.3),
 * from the extension after its last '.' in the last segment, compared
 * without case; application/octet-stream when there is none or it is not
 * known. */
const char *http_mime_type(const char *path, size_t len);

#endif
