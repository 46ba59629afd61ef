/* Serving from the root directory (files.h), through open, fstat and
 * close only: what the kernel's read-only file tree offers besides read and
 * pread. Directories serve their index.html (never a listing); a directory
 * named without its final '/' is redirected to it, so that relative links in
 * its index resolve as the author meant (RFC 9110 section 15.4.2). */
#define _GNU_SOURCE
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mime.h"

#define INDEX_NAME "index.html"

/* O_NONBLOCK: opening a FIFO someone left in the tree must not block the
 * server (open(2)); it changes nothing for regular files. */
#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

static bool regular_file_at(const char *path)
{
    int fd = open(path, OPEN_FLAGS);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    return ok;
}

bool files_init(struct httpd_files *f, const char *root, size_t max_path)
{
    memset(f, 0, sizeof *f);
    f->root = root;
    f->root_len = strlen(root);
    while (f->root_len > 0 && root[f->root_len - 1] == '/')
        f->root_len--;
    f->full_cap = f->root_len + max_path + sizeof "/" INDEX_NAME + 1;
    f->full = malloc(f->full_cap);
    if (f->full == NULL) {
        fprintf(stderr, "httpd: out of memory for a path buffer of %zu bytes\n", f->full_cap);
        return false;
    }
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "httpd: root %s: %s: serving only the built-in page at /\n", root,
                strerror(errno));
        return true;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "httpd: root %s: not a directory we can read: serving only the built-in "
                "page at /\n",
                root);
        close(fd);
        return true;
    }
    close(fd);
    f->root_ok = true;
    memcpy(f->full, root, f->root_len);
    memcpy(f->full + f->root_len, "/" INDEX_NAME, sizeof "/" INDEX_NAME);
    f->has_index = regular_file_at(f->full);
    return true;
}

void files_fini(struct httpd_files *f)
{
    free(f->full);
    f->full = NULL;
}

static void failed(struct file_result *r, int status, const char *reason)
{
    r->kind = FILE_FAILED;
    r->status = status;
    r->reason = reason;
}

/* The status for an open that failed with err. */
static void open_failed(struct file_result *r, int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP:
        failed(r, 404, NULL);
        break;
    case ENAMETOOLONG:
        failed(r, 414, NULL);
        break;
    case EACCES:
    case EPERM:
        failed(r, 403, NULL);
        break;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
        failed(r, 503, strerror(err)); /* out of descriptors or memory: try later */
        break;
    default:
        failed(r, 500, strerror(err));
        break;
    }
}

void files_open(struct httpd_files *f, const char *path, size_t path_len, bool dir,
                struct file_result *r)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    bool root_path = path_len == 1;
    if (root_path && !f->has_index) {
        r->kind = FILE_BUILTIN;
        return;
    }
    if (!f->root_ok) {
        failed(r, 404, NULL);
        return;
    }
    /* root + path, and for a directory its index.html straight away: one
     * open instead of two for every "/...". */
    size_t n = f->root_len;
    if (n + path_len + sizeof "/" INDEX_NAME > f->full_cap) {
        failed(r, 414, NULL);
        return;
    }
    memcpy(f->full, f->root, n);
    memcpy(f->full + n, path, path_len);
    n += path_len;
    if (dir) {
        if (!root_path)
            f->full[n++] = '/';
        memcpy(f->full + n, INDEX_NAME, sizeof INDEX_NAME);
        n += sizeof INDEX_NAME - 1;
    }
    f->full[n] = '\0';
    int fd = open(f->full, OPEN_FLAGS);
    if (fd < 0) {
        open_failed(r, errno);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        failed(r, 500, strerror(errno));
        close(fd);
        return;
    }
    if (S_ISDIR(st.st_mode) && !dir) {
        close(fd);
        r->kind = FILE_REDIRECT;
        return;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 0) {
        close(fd); /* a directory called index.html, a device, a FIFO */
        failed(r, 404, NULL);
        return;
    }
    r->kind = FILE_OPENED;
    r->fd = fd;
    r->size = (uint64_t)st.st_size;
    r->content_type = http_mime_type(f->full, n);
}
