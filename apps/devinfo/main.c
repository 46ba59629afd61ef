/* devinfo: prints every bus, device and driver the kernel found, each block
 * device (capacity, read-only mark, the first 32 bytes of sector 0 in hex and
 * as text) and each network device (MAC, MTU, link), then runs the actions
 * its arguments name, in order:
 *
 *   verify DISK TAG UNITS   the first UNITS 512-byte units of DISK hold
 *                           pattern TAG (apps/devinfo/pattern.c)
 *   write DISK TAG UNITS    write pattern TAG there, flush, read it back
 *   rotest DISK             DISK is read-only and a write to it is refused
 *   blkbench DISK MIB       time a sequential write, then a sequential read,
 *                           of MIB MiB from the start of DISK (overwritten;
 *                           a read-only DISK is refused) and check that what
 *                           is read back is what was written (blkbench.c)
 *   remove DEVICE           take the disk (DISK) or network device (net0) out
 *                           of the kernel as a hot unplug would: the driver
 *                           lets go, the class forgets it, the inventory
 *                           drops it, and the kernel carries on (remove.c)
 *   ping IP COUNT SECONDS [UDP]
 *                           answer ARP, ICMP echo and UDP echo (port 7) as IP
 *                           on every network device until COUNT echo requests
 *                           (and UDP datagrams) were answered; fail after
 *                           SECONDS
 *
 * DISK is a name (blk0), "rw" (the first writable disk), "ro" (the first
 * read-only disk) or "id:SERIAL" (the disk whose identification is SERIAL):
 * VMMs do not all number disks in the order they were given. TAG is one
 * letter. Every action prints "devinfo: PASS ..." or "devinfo: FAIL ...";
 * the exit status is 0 only when all passed (1 on a failure, 2 on a bad
 * argument). Example (kernel command line):
 *   console=ttyS0 -- verify rw A 2048 write rw B 2048 rotest ro ping 10.0.0.2 20 30 */
#include <anyvm/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devinfo.h"
#include "ping_responder.h"

struct anyvm_blk *devinfo_find_disk(const char *spec, struct anyvm_blk_info *info)
{
    struct anyvm_blk_info in;
    for (struct anyvm_blk *b = anyvm_blk_next(NULL); b; b = anyvm_blk_next(b)) {
        if (anyvm_blk_info(b, &in) != 0)
            continue;
        if (strcmp(spec, "rw") == 0        ? !in.read_only
            : strcmp(spec, "ro") == 0      ? in.read_only
            : strncmp(spec, "id:", 3) == 0 ? strcmp(in.serial, spec + 3) == 0
                                           : strcmp(in.name, spec) == 0) {
            if (info)
                *info = in;
            return b;
        }
    }
    return NULL;
}

static bool parse_number(const char *s, unsigned long *v)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    char *end;
    *v = strtoul(s, &end, 10);
    return *end == '\0';
}

static bool parse_tag(const char *s, char *tag)
{
    if (s == NULL || s[0] < 'A' || s[0] > 'Z' || s[1] != '\0')
        return false;
    *tag = s[0];
    return true;
}

static int usage(const char *why)
{
    printf("devinfo: FAIL bad arguments: %s\n", why);
    printf("devinfo: usage: [verify DISK TAG UNITS] [write DISK TAG UNITS] [rotest DISK] "
           "[blkbench DISK MIB] [remove DEVICE] [ping IP COUNT SECONDS [UDP]] [idle SECONDS] "
           "...\n");
    return 2;
}

int main(int argc, char **argv)
{
    printf("devinfo: anyvm device inventory\n");
    devinfo_inventory();
    int failed = 0, actions = 0;
    for (int i = 1; i < argc;) {
        const char *cmd = argv[i];
        actions++;
        if (strcmp(cmd, "verify") == 0 || strcmp(cmd, "write") == 0) {
            char tag;
            unsigned long units;
            if (i + 3 >= argc)
                return usage("verify/write need DISK TAG UNITS");
            if (!parse_tag(argv[i + 2], &tag) || !parse_number(argv[i + 3], &units))
                return usage("TAG is one capital letter, UNITS a number");
            struct anyvm_blk *b = devinfo_find_disk(argv[i + 1], NULL);
            if (b == NULL) {
                printf("devinfo: FAIL %s: no disk '%s'\n", cmd, argv[i + 1]);
                failed++;
            } else if ((cmd[0] == 'v' ? devinfo_verify(b, tag, units)
                                      : devinfo_write(b, tag, units)) != 0) {
                failed++;
            }
            i += 4;
        } else if (strcmp(cmd, "rotest") == 0) {
            if (i + 1 >= argc)
                return usage("rotest needs DISK");
            struct anyvm_blk *b = devinfo_find_disk(argv[i + 1], NULL);
            if (b == NULL) {
                printf("devinfo: FAIL rotest: no disk '%s'\n", argv[i + 1]);
                failed++;
            } else if (devinfo_rotest(b) != 0) {
                failed++;
            }
            i += 2;
        } else if (strcmp(cmd, "blkbench") == 0) {
            unsigned long mib;
            if (i + 2 >= argc || !parse_number(argv[i + 2], &mib) || mib == 0)
                return usage("blkbench needs DISK MIB (MIB a number above 0)");
            struct anyvm_blk *b = devinfo_find_disk(argv[i + 1], NULL);
            if (b == NULL) {
                printf("devinfo: FAIL blkbench: no disk '%s'\n", argv[i + 1]);
                failed++;
            } else if (devinfo_blkbench(b, mib) != 0) {
                failed++;
            }
            i += 3;
        } else if (strcmp(cmd, "remove") == 0) {
            if (i + 1 >= argc)
                return usage("remove needs DEVICE");
            if (devinfo_remove(argv[i + 1]) != 0)
                failed++;
            i += 2;
        } else if (strcmp(cmd, "ping") == 0) {
            uint8_t ip[4];
            unsigned long count, seconds, udp = 0;
            if (i + 3 >= argc || ping_parse_ipv4(argv[i + 1], ip) != 0 ||
                !parse_number(argv[i + 2], &count) || !parse_number(argv[i + 3], &seconds))
                return usage("ping needs IP COUNT SECONDS [UDP]");
            i += 4;
            if (i < argc && parse_number(argv[i], &udp))
                i++;
            if (devinfo_ping(ip, (unsigned)count, (unsigned)udp, (unsigned)seconds) != 0)
                failed++;
        } else if (strcmp(cmd, "idle") == 0) {
            /* Waits, devices running, with no SIGTERM handler: a host that
             * asks the VM to shut down ends it (drivers/hyperv). */
            unsigned long seconds;
            if (i + 1 >= argc || !parse_number(argv[i + 1], &seconds))
                return usage("idle needs SECONDS");
            printf("devinfo: idle for %lu s\n", seconds);
            anyvm_wait_until(NULL, NULL, anyvm_now_ns() + seconds * 1000000000ull);
            i += 2;
        } else if (strncmp(cmd, "virtio_mmio.", 12) == 0) {
            /* QEMU microvm with acpi=off appends its virtio_mmio.device=
             * entries to the end of the command line, after `--`. */
            printf("devinfo: ignoring '%s' (added by the VMM)\n", cmd);
            actions--;
            i++;
        } else {
            printf("devinfo: FAIL unknown action '%s'\n", cmd);
            return usage("unknown action");
        }
    }
    if (failed)
        printf("devinfo: %d of %d action%s FAILED\n", failed, actions, actions == 1 ? "" : "s");
    else
        printf("devinfo: all %d action%s passed\n", actions, actions == 1 ? "" : "s");
    return failed ? 1 : 0;
}
