/* Unit tests for bus/virtio_mmio/virtio_mmio_cmdline.c: the
 * virtio_mmio.device=<size>@<baseaddr>:<irq>[:<id>] parser (Linux's syntax)
 * and the collection of entries from a parsed command line. */
#include "bus/virtio_mmio/virtio_mmio.h"
#include "core/cmdline.h"
#include "tests/unit/unit.h"

static struct virtio_mmio_desc d;
static char err[128];

static int parse(const char *v)
{
    memset(err, 'X', sizeof err);
    err[sizeof err - 1] = '\0';
    return virtio_mmio_parse_device(v, &d, err, sizeof err);
}

TEST(firecracker_entry)
{
    CHECK_EQ(parse("4K@0xc0001000:5"), 0);
    CHECK_EQ(d.base, 0xc0001000u);
    CHECK_EQ(d.size, 4096u);
    CHECK_EQ(d.irq, 5u);
    CHECK(!d.has_id);
    CHECK_STR(err, "");
    CHECK_STR(d.name, "");
}

TEST(qemu_microvm_entry)
{
    CHECK_EQ(parse("512@0xfeb00e00:12"), 0);
    CHECK_EQ(d.base, 0xfeb00e00u);
    CHECK_EQ(d.size, 512u);
    CHECK_EQ(d.irq, 12u);
}

TEST(optional_platform_id)
{
    CHECK_EQ(parse("1M@0x10000000:33:7"), 0);
    CHECK_EQ(d.size, 1u << 20);
    CHECK_EQ(d.base, 0x10000000u);
    CHECK_EQ(d.irq, 33u);
    CHECK(d.has_id);
    CHECK_EQ(d.id, 7u);
    CHECK_EQ(parse("4k@0xC0001000:5:0"), 0);
    CHECK(d.has_id);
    CHECK_EQ(d.id, 0u);
}

TEST(number_notations_and_suffixes)
{
    CHECK_EQ(parse("0x200@0XFEB00E00:12"), 0); /* hex size, upper-case prefix */
    CHECK_EQ(d.size, 0x200u);
    CHECK_EQ(d.base, 0xfeb00e00u);
    CHECK_EQ(parse("4096@3221229568:5"), 0); /* decimal base */
    CHECK_EQ(d.base, 3221229568u);
    CHECK_EQ(parse("01000@010000:5"), 0); /* leading 0: octal, as in C and Linux */
    CHECK_EQ(d.size, 512u);
    CHECK_EQ(d.base, 4096u);
    CHECK_EQ(parse("2m@0x0:1"), 0);
    CHECK_EQ(d.size, 2u << 20);
    CHECK_EQ(d.base, 0u);
    CHECK_EQ(parse("1G@0x40000000:255"), 0);
    CHECK_EQ(d.size, 1ull << 30);
    CHECK_EQ(d.irq, 255u);
    CHECK_EQ(parse("1g@0x40000000:9"), 0);
    CHECK_EQ(d.size, 1ull << 30);
}

TEST(malformed_structure)
{
    CHECK_EQ(parse(""), -1);
    CHECK(strstr(err, "empty") != NULL);
    CHECK_EQ(virtio_mmio_parse_device(NULL, &d, err, sizeof err), -1);
    CHECK_EQ(parse("4K"), -1);
    CHECK(strstr(err, "expected '@' after the size at column 3") != NULL);
    CHECK_EQ(parse("@0x1000:5"), -1);
    CHECK(strstr(err, "size is not a number") != NULL);
    CHECK_EQ(parse("4K@"), -1);
    CHECK(strstr(err, "base address") != NULL);
    CHECK_EQ(parse("4K@0xc0001000"), -1);
    CHECK(strstr(err, "expected ':'") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:"), -1);
    CHECK(strstr(err, "IRQ is not a decimal number") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:x"), -1);
    CHECK_EQ(parse("4K@0xc0001000:0x5"), -1); /* the IRQ is decimal */
    CHECK(strstr(err, "unexpected text at column 16") != NULL);
    CHECK_EQ(parse("4K@0x:5"), -1);
    CHECK_EQ(parse("4K@0xzz:5"), -1);
    CHECK_EQ(parse("4KB@0xc0001000:5"), -1);
    CHECK_EQ(parse("4T@0xc0001000:5"), -1);
    CHECK_EQ(parse("4K@0xc0001000:5:"), -1);
    CHECK(strstr(err, "device id") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:5:7:8"), -1);
    CHECK(strstr(err, "unexpected text") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:5 "), -1);
    CHECK_EQ(parse(" 4K@0xc0001000:5"), -1);
    CHECK_EQ(parse("-4K@0xc0001000:5"), -1);
    CHECK_EQ(parse("4K@-0xc0001000:5"), -1);
    CHECK_EQ(parse("4K@0xc0001000:-5"), -1);
    CHECK_EQ(parse("4K@0xc0001000:+5"), -1);
    CHECK_EQ(parse("4K,0xc0001000:5"), -1);
}

TEST(malformed_values)
{
    CHECK_EQ(parse("0@0xc0001000:5"), -1);
    CHECK(strstr(err, "smaller than the 0x100-byte register block") != NULL);
    CHECK_EQ(parse("255@0xc0001000:5"), -1);
    CHECK(strstr(err, "smaller than the 0x100-byte register block") != NULL);
    CHECK_EQ(parse("256@0xc0001000:5"), 0);
    CHECK_EQ(parse("4K@0xc0001002:5"), -1);
    CHECK(strstr(err, "not 4-byte aligned") != NULL);
    CHECK_EQ(parse("4K@0xffffffffffffe000:5"), 0);  /* the transport refuses it later: unmapped */
    CHECK_EQ(parse("4K@0xfffffffffffff000:5"), -1); /* ends at 2^64: wraps to 0 */
    CHECK(strstr(err, "wraps around") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:0"), -1);
    CHECK(strstr(err, "IRQ 0 is out of range") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:256"), -1);
    CHECK(strstr(err, "IRQ 256 is out of range") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:99999999999"), -1);
    CHECK(strstr(err, "out of range") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:5:99999999999"), -1);
}

TEST(overflow_is_rejected)
{
    CHECK_EQ(parse("99999999999999999999@0x0:5"), -1);
    CHECK(strstr(err, "size is not a number") != NULL);
    CHECK_EQ(parse("18446744073709551615@0x10:5"), -1); /* fits, but wraps with the base */
    CHECK(strstr(err, "wraps") != NULL);
    CHECK_EQ(parse("0x4000000000000G@0x0:5"), -1);
    CHECK(strstr(err, "size overflows") != NULL);
    CHECK_EQ(parse("4K@0x10000000000000000:5"), -1);
    CHECK(strstr(err, "base address is not a number or overflows") != NULL);
    CHECK_EQ(parse("4K@0xc0001000:18446744073709551616"), -1);
}

/* The window is mapped whole, so a VMM-given size is bounded: 1 GiB still
 * passes, more would cost a page table per GiB (2^46 bytes: every page). */
TEST(huge_window_is_rejected)
{
    CHECK_EQ(parse("1G@0x100000000:5"), 0);
    CHECK_EQ(parse("1073741825@0x100000000:5"), -1);
    CHECK(strstr(err, "size 0x40000001 is larger than the 0x40000000 a device window may be") !=
          NULL);
    CHECK_EQ(parse("64G@0x1000000000:5"), -1);
    CHECK(strstr(err, "is larger than") != NULL);
    struct virtio_mmio_desc big = {.base = 0x100000000ull, .size = 1ull << 46, .irq = 5};
    char e[96];
    CHECK_EQ(virtio_mmio_check(&big, e, sizeof e), -1);
}

TEST(error_buffer_is_bounded)
{
    char small[8];
    memset(small, 'X', sizeof small);
    CHECK_EQ(virtio_mmio_parse_device("4K@0xc0001002:5", &d, small, sizeof small), -1);
    CHECK_EQ(strlen(small), 7u);
    CHECK_EQ(virtio_mmio_parse_device("4K@0xc0001002:5", &d, NULL, 0), -1);
    CHECK_EQ(virtio_mmio_parse_device("4K@0xc0001000:5", &d, NULL, 0), 0);
}

/* ---- entries from a whole command line ---- */

static struct cmdline cl;
static struct virtio_mmio_desc out[VIRTIO_MMIO_MAX_DEVICES];

static unsigned collect(const char *line, unsigned max, unsigned *entries)
{
    char e[128];
    if (cmdline_parse(line, &cl, e, sizeof e) != 0)
        return 999;
    memset(out, 0, sizeof out);
    return virtio_mmio_from_cmdline(&cl, out, max, entries);
}

TEST(collects_firecracker_line)
{
    unsigned entries = 99;
    CHECK_EQ(collect("console=ttyS0 reboot=k panic=1 pci=off "
                     "virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             2u);
    CHECK_EQ(entries, 2u);
    CHECK_EQ(out[0].base, 0xc0001000u);
    CHECK_EQ(out[0].irq, 5u);
    CHECK_EQ(out[1].base, 0xc0002000u);
    CHECK_EQ(out[1].irq, 6u);
    CHECK_EQ(unit_log_len, 0u); /* nothing to report */
}

TEST(collects_entries_qemu_appends_after_double_dash)
{
    /* QEMU microvm (acpi=off) appends to the end of whatever the user gave. */
    unsigned entries;
    CHECK_EQ(collect("-- x virtio_mmio.device=512@0xfeb00e00:12 "
                     "virtio_mmio.device=512@0xfeb00c00:11",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             2u);
    CHECK_EQ(entries, 2u);
    CHECK_EQ(out[0].base, 0xfeb00e00u);
    CHECK_EQ(out[1].base, 0xfeb00c00u);
    CHECK_EQ(out[1].irq, 11u);
    /* Both places at once: parameters first. */
    CHECK_EQ(collect("virtio_mmio.device=4K@0xc0001000:5 -- virtio_mmio.device=512@0xfeb00e00:12",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             2u);
    CHECK_EQ(out[0].base, 0xc0001000u);
    CHECK_EQ(out[1].base, 0xfeb00e00u);
    /* An argument that merely looks similar is not an entry. */
    CHECK_EQ(collect("-- virtio_mmio.devices=4K@0x1000:5 xvirtio_mmio.device=4K@0x1000:5",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             0u);
    CHECK_EQ(entries, 0u);
}

TEST(no_entries)
{
    unsigned entries = 5;
    CHECK_EQ(collect("console=ttyS0 -- a b", VIRTIO_MMIO_MAX_DEVICES, &entries), 0u);
    CHECK_EQ(entries, 0u);
    CHECK_EQ(collect("", VIRTIO_MMIO_MAX_DEVICES, NULL), 0u);
}

TEST(bad_entries_reported_and_skipped)
{
    unsigned entries;
    CHECK_EQ(collect("virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=junk "
                     "virtio_mmio.device virtio_mmio.device= virtio_mmio.device=4K@0xc0002000:6",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             2u);
    CHECK_EQ(entries, 5u);
    CHECK(LOG_CONTAINS("virtio-mmio: virtio_mmio.device=junk rejected: size is not a number"));
    CHECK(LOG_CONTAINS("virtio-mmio: virtio_mmio.device= rejected: empty value"));
    CHECK_EQ(out[0].base, 0xc0001000u);
    CHECK_EQ(out[1].base, 0xc0002000u);
}

TEST(overlapping_entries_rejected)
{
    unsigned entries;
    CHECK_EQ(collect("virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0001000:6 "
                     "virtio_mmio.device=512@0xc0001e00:7 virtio_mmio.device=4K@0xc0000000:8 "
                     "virtio_mmio.device=4K@0xc0002000:9",
                     VIRTIO_MMIO_MAX_DEVICES, &entries),
             3u);
    CHECK_EQ(entries, 5u);
    CHECK(LOG_CONTAINS("virtio_mmio.device=4K@0xc0001000:6 rejected: overlaps the device at "
                       "0xc0001000"));
    CHECK(LOG_CONTAINS("virtio_mmio.device=512@0xc0001e00:7 rejected: overlaps"));
    CHECK_EQ(out[1].base, 0xc0000000u); /* adjacent below: fine */
    CHECK_EQ(out[2].base, 0xc0002000u); /* adjacent above: fine */
}

TEST(too_many_entries)
{
    unsigned entries;
    CHECK_EQ(collect("virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6 "
                     "virtio_mmio.device=4K@0xc0003000:7",
                     2, &entries),
             2u);
    CHECK_EQ(entries, 3u);
    CHECK(LOG_CONTAINS("virtio_mmio.device=4K@0xc0003000:7 ignored: more than 2 devices"));
}

TEST(many_entries_up_to_the_limit)
{
    char line[4096];
    size_t len = 0;
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_DEVICES + 4; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "virtio_mmio.device=4K@0x%x:%u ",
                                0xc0001000u + i * 0x1000u, 5 + i);
    unsigned entries;
    CHECK_EQ(collect(line, VIRTIO_MMIO_MAX_DEVICES, &entries), (unsigned)VIRTIO_MMIO_MAX_DEVICES);
    CHECK_EQ(entries, VIRTIO_MMIO_MAX_DEVICES + 4u);
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_DEVICES; i++) {
        CHECK_EQ(out[i].base, 0xc0001000u + i * 0x1000u);
        CHECK_EQ(out[i].irq, 5 + i);
    }
}

UNIT_MAIN()
