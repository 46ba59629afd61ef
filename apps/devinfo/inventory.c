/* The inventory devinfo prints first: every bus's devices and their drivers,
 * then each block device (geometry, read-only mark, sector 0) and each
 * network device (MAC, MTU, link), then the random source. Every line starts
 * with "devinfo: " so host tests can pick them out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/devinfo/devinfo.h"
#include "core/device.h"
#include "dev/random.h"

/* Every device of every bus, from the one inventory (core/device.h): its
 * name, the device that carries it, its driver and state. */
static void list_devices(void)
{
    unsigned nbuses;
    const struct bus *const *buses = bus_table(&nbuses);
    for (unsigned i = 0; i < nbuses; i++) {
        unsigned n = 0;
        for (struct device *d = device_first(); d; d = d->next)
            n += d->bus == buses[i];
        if (n == 0 && buses[i]->match == NULL)
            continue; /* an enumerator whose devices live on another bus */
        printf("devinfo: bus %s: %u device%s\n", buses[i]->name, n, n == 1 ? "" : "s");
        for (struct device *d = device_first(); d; d = d->next) {
            if (d->bus != buses[i])
                continue;
            printf("devinfo:   %s %s: %s", d->bus->name, d->name, device_state_name(d->state));
            if (d->driver)
                printf(", driver %s", d->driver->name);
            if (d->state == DEVICE_DISABLED)
                printf(" (%s)", d->reason);
            if (d->parent)
                printf(", on %s %s", d->parent->bus->name, d->parent->name);
            printf("\n");
        }
    }
}

/* Sector 0's first 32 bytes in hex and as text ('.' for the unprintable). */
static void show_sector0(struct blkdev *bd)
{
    uint8_t *buf = aligned_alloc(4096, bd->sector_size);
    if (buf == NULL) {
        printf("devinfo: %s sector 0: no memory\n", bd->name);
        return;
    }
    int rc = blkdev_read(bd, 0, buf, 1);
    if (rc != 0) {
        printf("devinfo: %s sector 0: read failed (%d)\n", bd->name, rc);
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
    printf("devinfo: %s sector 0: %s |%s|\n", bd->name, hex, text);
    free(buf);
}

static void list_blk(void)
{
    for (struct blkdev *bd = blkdev_first(); bd; bd = bd->next) {
        printf("devinfo: %s: %s, %lu sectors of %u bytes, %s%s%s%s\n", bd->name, bd->driver,
               (unsigned long)bd->capacity, bd->sector_size,
               bd->read_only ? "read-only" : "read-write", bd->has_flush ? ", flush" : "",
               bd->serial[0] ? ", id " : "", bd->serial);
        show_sector0(bd);
    }
}

static void list_net(void)
{
    for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
        printf("devinfo: %s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, link %s%s\n", nd->name,
               nd->driver, nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5],
               nd->mtu, nd->link_up ? "up" : "down",
               (nd->features & NETDEV_FEATURE_TX_CSUM) ? ", tx checksum offload" : "");
}

static void show_random(void)
{
    struct random_status st;
    random_get_status(&st);
    char sources[64] = "";
    size_t n = 0;
    for (unsigned i = 0; i < st.sources && n < sizeof sources; i++)
        n += (size_t)snprintf(sources + n, sizeof sources - n, " %s", st.source_name[i]);
    printf("devinfo: random: rdrand %s, devices:%s, %lu bits credited, %lu bytes from devices\n",
           st.rdrand ? "yes" : "no", st.sources ? sources : " none",
           (unsigned long)st.credited_bits, (unsigned long)st.device_bytes);
}

void devinfo_inventory(void)
{
    list_devices();
    unsigned nb = 0, nn = 0;
    for (struct blkdev *bd = blkdev_first(); bd; bd = bd->next)
        nb++;
    for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
        nn++;
    printf("devinfo: class blkdev: %u device%s\n", nb, nb == 1 ? "" : "s");
    list_blk();
    printf("devinfo: class netdev: %u device%s\n", nn, nn == 1 ? "" : "s");
    list_net();
    show_random();
}
