#include <string.h>

#include "hostsim/guest_mem.h"

int guest_mem_add(struct guest_mem *m, uint64_t gpa, uint64_t size, void *host)
{
    if (m->count >= GUEST_MEM_MAX_REGIONS || size == 0 || host == NULL)
        return -1;
    if (gpa + size < gpa && gpa + size != 0) /* wraps; ending exactly at 2^64 is fine */
        return -1;
    uint64_t last = gpa + (size - 1);
    for (unsigned i = 0; i < m->count; i++) {
        const struct guest_region *r = &m->region[i];
        uint64_t rlast = r->gpa + (r->size - 1);
        if (gpa <= rlast && r->gpa <= last)
            return -1;
    }
    m->region[m->count++] = (struct guest_region){.gpa = gpa, .size = size, .host = host};
    return 0;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
    for (unsigned i = 0; i < m->count; i++) {
        const struct guest_region *r = &m->region[i];
        if (gpa < r->gpa)
            continue;
        uint64_t off = gpa - r->gpa;
        /* Written so that neither side can overflow: off < size, then
         * len <= size - off. */
        if (off >= r->size || len > r->size - off)
            continue;
        return r->host + off;
    }
    return NULL;
}

int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
    void *p = guest_mem_ptr(m, gpa, len);
    if (p == NULL)
        return -1;
    memcpy(p, src, len);
    return 0;
}

int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
    const void *p = guest_mem_ptr(m, gpa, len);
    if (p == NULL)
        return -1;
    memcpy(dst, p, len);
    return 0;
}

int guest_mem_fill(const struct guest_mem *m, uint64_t gpa, int byte, uint64_t len)
{
    void *p = guest_mem_ptr(m, gpa, len);
    if (p == NULL)
        return -1;
    memset(p, byte, len);
    return 0;
}

/* The host is x86-64 too, so a memcpy of the native value is little-endian. */
int guest_mem_write_u8(const struct guest_mem *m, uint64_t gpa, uint8_t v)
{
    return guest_mem_write(m, gpa, &v, sizeof v);
}

int guest_mem_write_u16(const struct guest_mem *m, uint64_t gpa, uint16_t v)
{
    return guest_mem_write(m, gpa, &v, sizeof v);
}

int guest_mem_write_u32(const struct guest_mem *m, uint64_t gpa, uint32_t v)
{
    return guest_mem_write(m, gpa, &v, sizeof v);
}

int guest_mem_write_u64(const struct guest_mem *m, uint64_t gpa, uint64_t v)
{
    return guest_mem_write(m, gpa, &v, sizeof v);
}
