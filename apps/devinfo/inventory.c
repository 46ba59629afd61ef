/* The inventory devinfo prints first: every bus's devices and their drivers,
 * then each block device (geometry, read-only mark, sector 0) and each
 * network device (MAC, MTU, link), then the random source. Every line starts
 * with "devinfo: " so host tests can pick them out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anyvm/devices.h>
#include <anyvm/random.h>

#include "devinfo.h"

/* Every device of every bus, from the kernel's one inventory: its name, the
 * device that carries it, its driver and state. */
static void list_devices(void)
{
    size_t nbuses = anyvm_device_buses(NULL, 0), ndevices = anyvm_devices(NULL, 0);
    struct anyvm_bus *buses = calloc(nbuses ? nbuses : 1, sizeof *buses);
    struct anyvm_device *devices = calloc(ndevices ? ndevices : 1, sizeof *devices);
    if (buses == NULL || devices == NULL) {
        printf("devinfo: inventory: no memory\n");
        free(buses);
        free(devices);
        return;
    }
    /* Nothing runs between the counts and the copies (device work waits
     * for devinfo to wait), but only what was copied is read. */
    size_t copied = anyvm_device_buses(buses, nbuses);
    nbuses = copied < nbuses ? copied : nbuses;
    copied = anyvm_devices(devices, ndevices);
    ndevices = copied < ndevices ? copied : ndevices;
    for (size_t i = 0; i < nbuses; i++) {
        unsigned n = 0;
        for (size_t k = 0; k < ndevices; k++)
            n += strcmp(devices[k].bus, buses[i].name) == 0;
        printf("devinfo: bus %s: %u device%s\n", buses[i].name, n, n == 1 ? "" : "s");
        for (size_t k = 0; k < ndevices; k++) {
            const struct anyvm_device *d = &devices[k];
            if (strcmp(d->bus, buses[i].name) != 0)
                continue;
            printf("devinfo:   %s: %s", d->name, d->state);
            if (d->driver[0])
                printf(", driver %s", d->driver);
            if (strcmp(d->state, "disabled") == 0)
                printf(" (%s)", d->reason);
            if (d->parent[0])
                printf(", on %s", d->parent);
            printf("\n");
        }
    }
    free(buses);
    free(devices);
}

/* Sector 0's first 32 bytes in hex and as text ('.' for the unprintable). */
static void show_sector0(struct anyvm_blk *b, const struct anyvm_blk_info *in)
{
    uint8_t *buf = aligned_alloc(4096, in->sector_size);
    if (buf == NULL) {
        printf("devinfo: %s sector 0: no memory\n", in->name);
        return;
    }
    if (anyvm_blk_read(b, 0, buf, 1) != 0) {
        printf("devinfo: %s sector 0: read failed (%d)\n", in->name, -errno);
        free(buf);
        return;
    }
    char hex[32 * 3 + 1], text[33];
    for (unsigned i = 0; i < 32; i++) {
        snprintf(hex + 3 * i, 4, "%02x ", buf[i]);
        text[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '.';
    }
    hex[32 * 3 - 1] = '\0';
    text[32] = '\0';
    printf("devinfo: %s sector 0: %s |%s|\n", in->name, hex, text);
    free(buf);
}

static void list_blk(void)
{
    unsigned n = 0;
    for (struct anyvm_blk *b = anyvm_blk_next(NULL); b; b = anyvm_blk_next(b))
        n++;
    printf("devinfo: class blkdev: %u device%s\n", n, n == 1 ? "" : "s");
    struct anyvm_blk_info in;
    for (struct anyvm_blk *b = anyvm_blk_next(NULL); b; b = anyvm_blk_next(b)) {
        if (anyvm_blk_info(b, &in) != 0)
            continue;
        printf("devinfo: %s: %s, %lu sectors of %u bytes, %s%s%s%s\n", in.name, in.driver,
               (unsigned long)in.sectors, in.sector_size, in.read_only ? "read-only" : "read-write",
               in.has_flush ? ", flush" : "", in.serial[0] ? ", id " : "", in.serial);
        show_sector0(b, &in);
    }
}

static void list_net(void)
{
    unsigned n = 0;
    for (struct anyvm_net *nd = anyvm_net_next(NULL); nd; nd = anyvm_net_next(nd))
        n++;
    printf("devinfo: class netdev: %u device%s\n", n, n == 1 ? "" : "s");
    struct anyvm_net_info in;
    for (struct anyvm_net *nd = anyvm_net_next(NULL); nd; nd = anyvm_net_next(nd)) {
        if (anyvm_net_info(nd, &in) != 0)
            continue;
        printf("devinfo: %s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, link %s%s\n", in.name,
               in.driver, in.mac[0], in.mac[1], in.mac[2], in.mac[3], in.mac[4], in.mac[5],
               (unsigned)in.mtu, in.link_up ? "up" : "down",
               in.tx_csum_offload ? ", tx checksum offload" : "");
    }
}

static void show_random(void)
{
    struct anyvm_random_status st;
    if (anyvm_random_status(&st) != 0) {
        printf("devinfo: random: no status (%d)\n", -errno);
        return;
    }
    char sources[64] = "";
    size_t n = 0;
    for (unsigned i = 0; i < st.sources && n < sizeof sources; i++)
        n += (size_t)snprintf(sources + n, sizeof sources - n, " %s", st.source_names[i]);
    printf("devinfo: random: rdrand %s, devices:%s, %lu bits credited, %lu bytes from devices\n",
           st.rdrand ? "yes" : "no", st.sources ? sources : " none",
           (unsigned long)st.credited_bits, (unsigned long)st.device_bytes);
}

void devinfo_inventory(void)
{
    list_devices();
    list_blk();
    list_net();
    show_random();
}
