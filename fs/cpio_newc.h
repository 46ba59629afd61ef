/* A reader of cpio archives in the "newc" format (the SVR4 portable format
 * without and with checksum, magic "070701" and "070702"), the format of
 * Linux's initramfs. Sources: the cpio(5) manual page (libarchive's
 * cpio.5, "New ASCII Format") and Linux's
 * Documentation/driver-api/early-userspace/buffer-format.rst.
 *
 * An entry is a 110-byte header of ASCII text, the name, the data:
 *
 *   offset  size  field
 *        0     6  magic       "070701", or "070702" when check holds a checksum
 *        6     8  ino         each numeric field: 8 hexadecimal digits
 *       14     8  mode        st_mode: the file type and permission bits
 *       22     8  uid
 *       30     8  gid
 *       38     8  nlink
 *       46     8  mtime       seconds since 1970
 *       54     8  filesize    bytes of data
 *       62     8  devmajor    the device the file was on (hard links share it)
 *       70     8  devminor
 *       78     8  rdevmajor   a device node's own numbers
 *       86     8  rdevminor
 *       94     8  namesize    bytes of the name, with its terminating NUL
 *      102     8  check       070702: the sum of the data's bytes; else 0
 *
 * The name follows the header and is padded with NULs so that the data
 * starts at a multiple of 4 bytes from the archive's start; the data is
 * padded to a multiple of 4 the same way. An entry named "TRAILER!!!" ends
 * the archive. Several archives may follow one another, with zero bytes
 * between them (Linux's initramfs: buffer-format.rst); this reader reads
 * one, and says where it ended. Hard links: entries with the same
 * devmajor, devminor and ino (and nlink > 1) are one file; the data comes
 * with one of them, usually the last, the others have filesize 0.
 *
 * Pure logic: the archive is read in place and never written. Every field is
 * checked before it is used; the first malformed header ends the reading
 * with a reason and the offset where it was found. */
#ifndef FS_CPIO_NEWC_H
#define FS_CPIO_NEWC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_SIZE 110
#define CPIO_MAGIC_LEN 6

struct cpio_newc_entry {
    uint32_t ino, mode, uid, gid, nlink, mtime;
    uint32_t devmajor, devminor, rdevmajor, rdevminor;
    const char *name; /* in the archive, NUL-terminated */
    size_t name_len;  /* without the NUL */
    const uint8_t *data;
    uint32_t size;
    size_t offset;    /* of the header, from the archive's start */
    bool checksum_ok; /* 070702: the data's bytes sum to check; 070701: true */
};

struct cpio_newc_reader {
    const uint8_t *base;
    size_t size;
    size_t off;        /* of the next header; once ended, the first byte after the trailer */
    bool ended;        /* the trailer was read */
    const char *error; /* why the reading stopped early; NULL otherwise */
    size_t error_off;  /* where */
};

enum cpio_newc_result {
    CPIO_ENTRY, /* *e holds the next entry */
    CPIO_END,   /* the trailer was read (and is, at every later call) */
    CPIO_ERROR, /* malformed: r->error, r->error_off say why and where */
};

void cpio_newc_init(struct cpio_newc_reader *r, const void *base, size_t size);
enum cpio_newc_result cpio_newc_next(struct cpio_newc_reader *r, struct cpio_newc_entry *e);

/* True when the archive begins with a newc magic. */
bool cpio_newc_magic(const void *base, size_t size);

#endif
