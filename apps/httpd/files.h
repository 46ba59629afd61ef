/* Finding what a decoded path names under the served root: a regular file
 * (opened), the built-in page, a directory to redirect to with a '/', or
 * the status to answer instead. */
#ifndef HTTPD_FILES_H
#define HTTPD_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct httpd_files {
    const char *root; /* as given */
    size_t root_len;  /* without trailing slashes: 0 for "/" */
    bool root_ok;     /* the root is a directory we could open */
    bool has_index;   /* root/index.html is a regular file, decided at start */
    char *full;       /* root + path + "/index.html", built per request */
    size_t full_cap;
};

enum file_kind {
    FILE_OPENED,   /* fd, size and content_type are set */
    FILE_BUILTIN,  /* serve the built-in page */
    FILE_REDIRECT, /* a directory named without its final '/': 301 */
    FILE_FAILED,   /* answer `status` */
};

struct file_result {
    enum file_kind kind;
    int status;
    int fd;
    uint64_t size;
    const char *content_type;
    const char *reason; /* for a 500 or 503: what failed, for the log */
};

/* Checks the root (a directory we can open) and whether it has an
 * index.html, and makes room for paths up to max_path bytes. A root that
 * cannot be opened is not fatal: it is reported, and only the built-in
 * page is served. Returns false only when memory is short. */
bool files_init(struct httpd_files *f, const char *root, size_t max_path);
void files_fini(struct httpd_files *f);

/* What path (decoded, normalised, starting with '/', path_len bytes) names;
 * `dir` says the target ended with '/'. */
void files_open(struct httpd_files *f, const char *path, size_t path_len, bool dir,
                struct file_result *r);

#endif
