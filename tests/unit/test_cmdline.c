/* Unit tests for core/cmdline.c: command-line parsing, normal and malformed. */
#include "core/cmdline.h"
#include "tests/unit/unit.h"

static struct cmdline c;
static char err[128];

static int parse(const char *text)
{
    memset(err, 'X', sizeof err);
    err[sizeof err - 1] = '\0';
    return cmdline_parse(text, &c, err, sizeof err);
}

TEST(empty_line)
{
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(c.nparams, 0u);
    CHECK_EQ(c.argc, 0u);
    CHECK(c.argv[0] == NULL);
    CHECK_STR(err, "");
    CHECK_EQ(parse("   \t\n  "), 0);
    CHECK_EQ(c.nparams, 0u);
    CHECK_EQ(cmdline_parse(NULL, &c, err, sizeof err), 0);
    CHECK_EQ(c.nparams, 0u);
    CHECK(cmdline_get(&c, "x") == NULL);
}

TEST(key_value_and_flags)
{
    CHECK_EQ(parse("a=1 quiet b=two"), 0);
    CHECK_EQ(c.nparams, 3u);
    CHECK_STR(c.params[0].key, "a");
    CHECK_STR(c.params[0].value, "1");
    CHECK_STR(c.params[1].key, "quiet");
    CHECK(c.params[1].value == NULL);
    CHECK_STR(c.params[2].key, "b");
    CHECK_STR(c.params[2].value, "two");
    CHECK_STR(cmdline_get(&c, "a"), "1");
    CHECK_STR(cmdline_get(&c, "quiet"), "");
    CHECK(cmdline_get(&c, "absent") == NULL);
    CHECK(cmdline_has(&c, "quiet"));
    CHECK(cmdline_has(&c, "b"));
    CHECK(!cmdline_has(&c, "c"));
    CHECK(!cmdline_has(&c, "qui"));
    CHECK_EQ(c.argc, 0u);
}

TEST(separators_tab_newline_and_runs)
{
    CHECK_EQ(parse("\t a=1\n\nb\t\tc=3 \n"), 0);
    CHECK_EQ(c.nparams, 3u);
    CHECK_STR(cmdline_get(&c, "a"), "1");
    CHECK_STR(cmdline_get(&c, "b"), "");
    CHECK_STR(cmdline_get(&c, "c"), "3");
}

TEST(last_occurrence_wins)
{
    CHECK_EQ(parse("x=1 y x=2 y=3 x=last"), 0);
    CHECK_EQ(c.nparams, 5u);
    CHECK_STR(cmdline_get(&c, "x"), "last");
    CHECK_STR(cmdline_get(&c, "y"), "3");
    CHECK_EQ(parse("y=3 y"), 0);
    CHECK_STR(cmdline_get(&c, "y"), "");
}

TEST(empty_value_and_equals_in_value)
{
    CHECK_EQ(parse("k= j=a=b=c m=\"\""), 0);
    CHECK_EQ(c.nparams, 3u);
    CHECK(c.params[0].value != NULL);
    CHECK_STR(cmdline_get(&c, "k"), "");
    CHECK_STR(cmdline_get(&c, "j"), "a=b=c");
    CHECK(c.params[2].value != NULL);
    CHECK_STR(cmdline_get(&c, "m"), "");
}

TEST(quoted_values)
{
    CHECK_EQ(parse("msg=\"hello world\" x=1 path=\"a\"b\" c\"d tab=\"\t\""), 0);
    CHECK_EQ(c.nparams, 4u);
    CHECK_STR(cmdline_get(&c, "msg"), "hello world");
    CHECK_STR(cmdline_get(&c, "x"), "1");
    CHECK_STR(cmdline_get(&c, "path"), "ab cd");
    CHECK_STR(cmdline_get(&c, "tab"), "\t");
    CHECK_EQ(parse("a=\"-- not args\""), 0);
    CHECK_STR(cmdline_get(&c, "a"), "-- not args");
    CHECK_EQ(c.argc, 0u);
}

TEST(app_arguments)
{
    CHECK_EQ(parse("-- \"hello world\" x"), 0);
    CHECK_EQ(c.nparams, 0u);
    CHECK_EQ(c.argc, 2u);
    CHECK_STR(c.argv[0], "hello world");
    CHECK_STR(c.argv[1], "x");
    CHECK(c.argv[2] == NULL);
}

TEST(arguments_keep_equals_dashes_and_empty_quotes)
{
    CHECK_EQ(parse("v=1 -- a=b -- --x \"\" \"q\"r\"s t\" =x"), 0);
    CHECK_EQ(c.nparams, 1u);
    CHECK_EQ(c.argc, 6u);
    CHECK_STR(c.argv[0], "a=b");
    CHECK_STR(c.argv[1], "--");
    CHECK_STR(c.argv[2], "--x");
    CHECK_STR(c.argv[3], "");
    CHECK_STR(c.argv[4], "qrs t");
    CHECK_STR(c.argv[5], "=x");
    CHECK(c.argv[6] == NULL);
    CHECK(cmdline_get(&c, "a") == NULL);
}

TEST(double_dash_forms)
{
    CHECK_EQ(parse("a --"), 0);
    CHECK_EQ(c.nparams, 1u);
    CHECK_EQ(c.argc, 0u);
    CHECK(c.argv[0] == NULL);
    /* Not standalone: a flag named "--x", and a key "--k". */
    CHECK_EQ(parse("--x --k=v"), 0);
    CHECK_EQ(c.nparams, 2u);
    CHECK_EQ(c.argc, 0u);
    CHECK_STR(cmdline_get(&c, "--x"), "");
    CHECK_STR(cmdline_get(&c, "--k"), "v");
    CHECK_EQ(parse("--\tx\ny"), 0);
    CHECK_EQ(c.argc, 2u);
    CHECK_STR(c.argv[0], "x");
    CHECK_STR(c.argv[1], "y");
}

TEST(firecracker_line)
{
    const char *line = "console=ttyS0 reboot=k panic=1 pci=off root=/dev/vda rw "
                       "virtio_mmio.device=4K@0xc0001000:5 -- a \"b c\"";
    CHECK_EQ(parse(line), 0);
    CHECK_EQ(c.nparams, 7u);
    CHECK_STR(cmdline_get(&c, "console"), "ttyS0");
    CHECK_STR(cmdline_get(&c, "reboot"), "k");
    CHECK_STR(cmdline_get(&c, "panic"), "1");
    CHECK_STR(cmdline_get(&c, "pci"), "off");
    CHECK_STR(cmdline_get(&c, "root"), "/dev/vda");
    CHECK_STR(cmdline_get(&c, "rw"), "");
    CHECK_STR(cmdline_get(&c, "virtio_mmio.device"), "4K@0xc0001000:5");
    for (unsigned i = 0; i < c.nparams; i++)
        CHECK(cmdline_is_linux_param(c.params[i].key));
    CHECK_EQ(c.argc, 2u);
    CHECK_STR(c.argv[0], "a");
    CHECK_STR(c.argv[1], "b c");
    CHECK(c.argv[2] == NULL);
}

TEST(firecracker_several_virtio_devices)
{
    CHECK_EQ(parse("virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6"), 0);
    CHECK_EQ(c.nparams, 2u);
    CHECK_STR(c.params[0].value, "4K@0xd0000000:5");
    CHECK_STR(c.params[1].value, "4K@0xd0001000:6");
    CHECK_STR(cmdline_get(&c, "virtio_mmio.device"), "4K@0xd0001000:6");
}

TEST(grub_line)
{
    CHECK_EQ(parse("BOOT_IMAGE=/boot/hello.elf -- x"), 0);
    CHECK_EQ(c.nparams, 1u);
    CHECK_STR(cmdline_get(&c, "BOOT_IMAGE"), "/boot/hello.elf");
    CHECK(cmdline_is_linux_param("BOOT_IMAGE"));
    CHECK_EQ(c.argc, 1u);
    CHECK_STR(c.argv[0], "x");
}

TEST(utf8_bytes_accepted)
{
    CHECK_EQ(parse("name=caf\xc3\xa9 -- \xe2\x82\xac"), 0);
    CHECK_STR(cmdline_get(&c, "name"), "caf\xc3\xa9");
    CHECK_EQ(c.argc, 1u);
    CHECK_STR(c.argv[0], "\xe2\x82\xac");
}

static int rejected(const char *text, const char *message)
{
    c.nparams = 99;
    c.argc = 99;
    if (parse(text) != -1)
        return 0;
    if (strcmp(err, message) != 0) {
        printf("  got \"%s\", want \"%s\"\n", err, message);
        return 0;
    }
    /* Nothing half-parsed is left behind. */
    return c.nparams == 0 && c.argc == 0 && c.argv[0] == NULL;
}

TEST(reject_unterminated_quote)
{
    CHECK(rejected("a=\"open", "unterminated quote at column 3"));
    CHECK(rejected("a=1 b=\"x y", "unterminated quote at column 7"));
    CHECK(rejected("a=\"x\" b=\"x\"y\"", "unterminated quote at column 13"));
    CHECK(rejected("-- \"hello world", "unterminated quote at column 4"));
    CHECK(rejected("-- ok \"", "unterminated quote at column 7"));
}

TEST(reject_empty_key)
{
    CHECK(rejected("=x", "empty parameter name at column 1"));
    CHECK(rejected("a=1 =x", "empty parameter name at column 5"));
    CHECK(rejected("a =", "empty parameter name at column 3"));
}

TEST(reject_quote_in_key)
{
    CHECK(rejected("a\"b\"=c", "quote in parameter name at column 2"));
    CHECK(rejected("x \"a b\"", "quote in parameter name at column 3"));
    CHECK(rejected("\"--\" x", "quote in parameter name at column 1"));
}

TEST(reject_control_characters)
{
    CHECK(rejected("a=\x01", "control character 0x01 at column 3"));
    CHECK(rejected("ab\x1b", "control character 0x1b at column 3"));
    CHECK(rejected("a=1\r\n", "control character 0x0d at column 4"));
    CHECK(rejected("x \x7f", "control character 0x7f at column 3"));
    CHECK(rejected("a=\"in \x02 quotes\"", "control character 0x02 at column 7"));
    CHECK(rejected("-- ok arg\x1f", "control character 0x1f at column 10"));
    CHECK(rejected("\x0b", "control character 0x0b at column 1"));
}

TEST(reject_first_error_in_text_order)
{
    CHECK(rejected("=x \x01", "empty parameter name at column 1"));
    CHECK(rejected("a=\x01 =x", "control character 0x01 at column 3"));
}

static char big[CMDLINE_MAX_BYTES + 16];

TEST(length_limit)
{
    /* CMDLINE_MAX_BYTES-1 bytes is accepted. */
    memset(big, 'v', CMDLINE_MAX_BYTES - 1);
    big[0] = 'k';
    big[1] = '=';
    big[CMDLINE_MAX_BYTES - 1] = '\0';
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(strlen(cmdline_get(&c, "k")), (size_t)CMDLINE_MAX_BYTES - 3);
    /* One more is not. */
    memset(big, 'v', CMDLINE_MAX_BYTES);
    big[CMDLINE_MAX_BYTES] = '\0';
    CHECK(rejected(big, "command line too long (max 2047 bytes) at column 2048"));
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(rejected(big, "command line too long (max 2047 bytes) at column 2048"));
}

TEST(longest_single_argument)
{
    memset(big, 0, sizeof big);
    memcpy(big, "-- ", 3);
    memset(big + 3, 'z', CMDLINE_MAX_BYTES - 4);
    CHECK_EQ(strlen(big), (size_t)CMDLINE_MAX_BYTES - 1);
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(c.argc, 1u);
    CHECK_EQ(strlen(c.argv[0]), (size_t)CMDLINE_MAX_BYTES - 4);
}

/* Appends n tokens "<prefix><i> " at pos; returns the new end. */
static size_t add_tokens(char *buf, size_t pos, const char *prefix, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        pos += (size_t)sprintf(buf + pos, "%s%u ", prefix, i);
    return pos;
}

TEST(param_limit)
{
    size_t pos = add_tokens(big, 0, "p", CMDLINE_MAX_PARAMS);
    big[pos] = '\0';
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(c.nparams, (unsigned)CMDLINE_MAX_PARAMS);
    CHECK_STR(c.params[63].key, "p63");
    /* The 65th parameter starts right after the 64th's separator. */
    char want[80];
    snprintf(want, sizeof want, "too many parameters (max 64) at column %zu", pos + 1);
    memcpy(big + pos, "extra=1", 8);
    CHECK(rejected(big, want));
}

TEST(arg_limit)
{
    size_t pos = add_tokens(big, 0, "p", 3);
    memcpy(big + pos, "-- ", 3);
    pos = add_tokens(big, pos + 3, "a", CMDLINE_MAX_ARGS);
    big[pos] = '\0';
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(c.argc, (unsigned)CMDLINE_MAX_ARGS);
    CHECK_STR(c.argv[31], "a31");
    CHECK(c.argv[32] == NULL);
    char want[80];
    snprintf(want, sizeof want, "too many arguments (max 32) at column %zu", pos + 1);
    memcpy(big + pos, "\"x y\"", 6);
    CHECK(rejected(big, want));
}

TEST(storage_holds_all_tokens_at_the_limits)
{
    /* 64 params and 32 arguments filling the line: every token's bytes and
     * its terminator must fit in storage. */
    size_t pos = 0;
    for (unsigned i = 0; i < CMDLINE_MAX_PARAMS; i++)
        pos += (size_t)sprintf(big + pos, "k%u=%s ", i, "vvvvvvvvvvvvvvvvvvvv");
    pos += (size_t)sprintf(big + pos, "-- ");
    for (unsigned i = 0; i < CMDLINE_MAX_ARGS; i++)
        pos += (size_t)sprintf(big + pos, "%sa%u", i ? " " : "", i);
    size_t last_len = 3;
    while (pos < CMDLINE_MAX_BYTES - 1) /* the last argument fills the line */
        big[pos++] = 'z', last_len++;
    big[pos] = '\0';
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(c.nparams, (unsigned)CMDLINE_MAX_PARAMS);
    CHECK_STR(cmdline_get(&c, "k63"), "vvvvvvvvvvvvvvvvvvvv");
    CHECK_EQ(c.argc, (unsigned)CMDLINE_MAX_ARGS);
    CHECK_STR(c.argv[0], "a0");
    CHECK(strncmp(c.argv[31], "a31zz", 5) == 0);
    CHECK_EQ(strlen(c.argv[31]), last_len);
    /* Smallest tokens, most of them: "a b c ..." as 64 flags and 32 args. */
    pos = 0;
    for (unsigned i = 0; i < CMDLINE_MAX_PARAMS; i++)
        big[pos++] = 'f', big[pos++] = ' ';
    big[pos++] = '-', big[pos++] = '-', big[pos++] = ' ';
    for (unsigned i = 0; i < CMDLINE_MAX_ARGS; i++)
        big[pos++] = 'a', big[pos++] = ' ';
    big[pos] = '\0';
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(c.nparams, 64u);
    CHECK_EQ(c.argc, 32u);
}

TEST(small_or_missing_error_buffer)
{
    char small[8];
    CHECK_EQ(cmdline_parse("=x", &c, small, sizeof small), -1);
    CHECK_EQ(strlen(small), sizeof small - 1);
    CHECK(memcmp(small, "empty p", 7) == 0);
    CHECK_EQ(cmdline_parse("=x", &c, NULL, 0), -1);
    CHECK_EQ(cmdline_parse("a=1", &c, NULL, 0), 0);
    CHECK_STR(cmdline_get(&c, "a"), "1");
}

TEST(reparse_resets_previous_result)
{
    CHECK_EQ(parse("a=1 b=2 -- x y"), 0);
    CHECK_EQ(parse("c=3"), 0);
    CHECK_EQ(c.nparams, 1u);
    CHECK_EQ(c.argc, 0u);
    CHECK(c.argv[0] == NULL);
    CHECK(cmdline_get(&c, "a") == NULL);
}

TEST(linux_params)
{
    static const char *const yes[] = {
        "console",
        "reboot",
        "panic",
        "pci",
        "root",
        "rootfstype",
        "rw",
        "ro",
        "nomodule",
        "quiet",
        "init",
        "earlyprintk",
        "swiotlb",
        "acpi",
        "noapic",
        "nolapic",
        "tsc",
        "clocksource",
        "BOOT_IMAGE",
        "8250.nr_uarts",
        "i8042.noaux",
        "i8042.nomux",
        "virtio_mmio.device",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(cmdline_is_linux_param(yes[i]));
    static const char *const no[] = {
        "consoles",
        "consol",
        "Console",
        "8250",
        "i8042",
        "virtio_mmio",
        "virtio_mmiox.device",
        "",
        "app",
        "boot_image",
        "rootfs",
        "8250x.nr",
        "net",
        "-",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!cmdline_is_linux_param(no[i]));
    CHECK(!cmdline_is_linux_param(NULL));
}

TEST(qemu_virtio_mmio_after_dashes_is_a_parameter)
{
    struct cmdline c;
    char err[128];
    CHECK_EQ(cmdline_parse("console=ttyS0 -- a b virtio_mmio.device=512@0xfeb00e00:12 "
                           "virtio_mmio.device=512@0xfeb00c00:11",
                           &c, err, sizeof err),
             0);
    CHECK_EQ(c.argc, 2u);
    CHECK_STR(c.argv[0], "a");
    CHECK_STR(c.argv[1], "b");
    CHECK_EQ(c.nparams, 3u);
    CHECK_STR(c.params[1].key, "virtio_mmio.device");
    CHECK_STR(c.params[1].value, "512@0xfeb00e00:12");
    CHECK_STR(c.params[2].value, "512@0xfeb00c00:11");
    /* A quoted argument that merely starts with the text stays an argument. */
    CHECK_EQ(cmdline_parse("-- \"virtio_mmio.device= x\"", &c, err, sizeof err), 0);
    CHECK_EQ(c.argc, 1u);
}

UNIT_MAIN()
