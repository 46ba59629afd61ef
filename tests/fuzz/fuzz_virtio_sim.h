/* A simulated virtio transport for the harnesses of the virtio core's
 * configuration policy (fuzz_virtio_config.c, fuzz_virtio_dev_config.c):
 * a configuration space, the device status register and a generation
 * counter behind a struct virtio_dev, with a generation (a modern
 * interface, virtio 1.2 2.5.1) or without one (legacy, 2.5.4).
 *
 * How the device changes values under the driver is what each harness
 * fuzzes, so the file that includes this one defines the raw accesses and
 * the generation read:
 *   static uint32_t sim_config_read(struct virtio_dev *vd, unsigned off, unsigned size);
 *   static void sim_config_write(struct virtio_dev *vd, unsigned off, unsigned size,
 *                                uint32_t v);
 *   static uint32_t sim_generation(struct virtio_dev *vd);
 * vd->transport points to the struct virtio_sim (sim_init). */
#ifndef TESTS_FUZZ_FUZZ_VIRTIO_SIM_H
#define TESTS_FUZZ_FUZZ_VIRTIO_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drivers/virtio/virtio.h"
#include "tests/fuzz/fuzz_input.h"

#define SIM_CONFIG_BYTES 64

struct virtio_sim {
    struct virtio_dev vd;
    uint8_t config[SIM_CONFIG_BYTES];
    uint8_t status;
    uint32_t generation;
};

static uint32_t sim_config_read(struct virtio_dev *vd, unsigned off, unsigned size);
static void sim_config_write(struct virtio_dev *vd, unsigned off, unsigned size, uint32_t v);
static uint32_t sim_generation(struct virtio_dev *vd);

static inline struct virtio_sim *sim_of(struct virtio_dev *vd)
{
    return vd->transport;
}

static uint8_t sim_get_status(struct virtio_dev *vd)
{
    return sim_of(vd)->status;
}

static void sim_set_status(struct virtio_dev *vd, uint8_t s)
{
    sim_of(vd)->status = s;
}

static const struct virtio_transport_ops sim_modern_ops = {
    .get_status = sim_get_status,
    .set_status = sim_set_status,
    .config_read_raw = sim_config_read,
    .config_write_raw = sim_config_write,
    .config_generation = sim_generation,
};
static const struct virtio_transport_ops sim_legacy_ops = {
    .get_status = sim_get_status,
    .set_status = sim_set_status,
    .config_read_raw = sim_config_read,
    .config_write_raw = sim_config_write,
    .config_generation = NULL,
};

/* A device of config_len bytes (at most SIM_CONFIG_BYTES), every byte and
 * register zero. */
static inline void sim_init(struct virtio_sim *s, bool legacy, unsigned config_len)
{
    memset(s, 0, sizeof *s);
    s->vd.ops = legacy ? &sim_legacy_ops : &sim_modern_ops;
    s->vd.legacy = legacy;
    s->vd.config_len = config_len;
    s->vd.transport = s;
    strcpy(s->vd.location, "fuzz");
}

/* What the core may ask of the transport (virtio.h, config_read_raw): an
 * access of 1, 2 or 4 bytes at an offset of that alignment inside
 * config_len, and nothing once it declared the device broken. */
static inline void sim_check_access(const struct virtio_dev *vd, unsigned off, unsigned size)
{
    BROKEN_IF(vd->broken);
    BROKEN_IF(size != 1 && size != 2 && size != 4);
    BROKEN_IF(off % size != 0 || (uint64_t)off + size > vd->config_len);
}

/* The size bytes (up to 8) at off as one little-endian value: how the
 * device presents its fields (2.5; a legacy device uses the guest's order,
 * the same on x86). */
static inline uint64_t sim_config_le(const struct virtio_sim *s, unsigned off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)s->config[off + i] << (8 * i);
    return v;
}

#endif
