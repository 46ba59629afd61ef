/* The record of the memory mmap handed out (sys/vma.c): page-aligned
 * ranges, sorted, disjoint, adjacent ones merged. munmap, mremap, madvise,
 * mprotect and msync accept only ranges this record covers, so memory the
 * layer did not hand out (the kernel's, the application's image and stack)
 * is never freed or zeroed on an application's word. */
#ifndef SYS_VMA_H
#define SYS_VMA_H

#include <stdbool.h>
#include <stdint.h>

/* True when every byte of [start, end) lies in recorded ranges (start < end). */
bool vma_covers(uint64_t start, uint64_t end);
/* True when some byte of [start, end) does. */
bool vma_overlaps(uint64_t start, uint64_t end);
/* Records [start, end), which must not overlap the record. 0, or -ENOMEM
 * when the record cannot grow. */
int vma_add(uint64_t start, uint64_t end);
/* Forgets [start, end), which the record must cover. 0, or -ENOMEM when a
 * range split in two needs a slot the record cannot get. */
int vma_remove(uint64_t start, uint64_t end);
/* Calls release for each recorded range and forgets them all. */
void vma_reset(void (*release)(uint64_t start, uint64_t end));
/* Ranges recorded (for tests: merging and splitting). */
unsigned vma_count(void);

#endif
