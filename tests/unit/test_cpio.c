/* fs/cpio_newc.c: the newc reader on archives written by hand here
 * (tests/unit/cpio_build.h), one by GNU cpio's own layout (the bytes of
 * `cpio -o -H newc`), and broken ones: every malformed header stops the
 * reading with the offset and a reason, and nothing is read past the end. */
#include "fs/cpio_newc.h"
#include "tests/unit/cpio_build.h"
#include "tests/unit/unit.h"

static struct cpio_build b;
static struct cpio_newc_reader r;
static struct cpio_newc_entry e;

/* The archive in a buffer of exactly its length, so that ASan sees every
 * read past its end. */
static uint8_t *exact;

static void start(void)
{
    free(exact);
    exact = malloc(b.len ? b.len : 1);
    memcpy(exact, b.p, b.len);
    cpio_newc_init(&r, exact, b.len);
}

TEST(entries_then_trailer)
{
    cb_init(&b);
    cb_file(&b, "a.txt", "hello\n");
    cb_dir(&b, "dir");
    cb_link(&b, "dir/l", "../a.txt");
    cb_entry(&b, "odd", 0100600, "12345", 5); /* data padded by 3 */
    cb_trailer(&b);
    start();
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_STR(e.name, "a.txt");
    CHECK_EQ(e.name_len, 5u);
    CHECK_EQ(e.size, 6u);
    CHECK(memcmp(e.data, "hello\n", 6) == 0);
    CHECK_EQ(e.mode, 0100644u);
    CHECK_EQ(e.mtime, 1700000000u);
    CHECK_EQ(e.offset, 0u);
    CHECK(e.checksum_ok);
    /* 110 + 6 = 116: no name padding; 6 bytes of data padded to 8 */
    CHECK_EQ(e.data - exact, 116);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_STR(e.name, "dir");
    CHECK_EQ(e.offset, 124u);
    CHECK_EQ(e.mode, 040755u);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_STR(e.name, "dir/l");
    CHECK_EQ(e.size, 8u);
    CHECK(memcmp(e.data, "../a.txt", 8) == 0);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_STR(e.name, "odd");
    CHECK_EQ(e.size, 5u);
    size_t trailer_at = r.off;
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_END);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_END); /* and stays so */
    CHECK(r.error == NULL);
    CHECK_EQ(r.off, trailer_at + 124); /* 110 + 11 bytes of name, padded: what follows */
    CHECK_EQ(r.off, b.len);
}

/* What GNU cpio 2.13 wrote for `printf 'hi\n' > a.txt; echo a.txt | cpio
 * -o -H newc --reproducible -R 0:0` (upper-case hex digits), then its
 * trailer and zero padding to 512 bytes, which is never read. */
TEST(gnu_cpio_layout)
{
    static const char head[] = "070701"
                               "00000000"
                               "000081A4"
                               "00000000"
                               "00000000"
                               "00000001"
                               "6B1356CC"
                               "00000003"
                               "00000000"
                               "00000000"
                               "00000000"
                               "00000000"
                               "00000006"
                               "00000000"
                               "a.txt\0"
                               "hi\n\0";
    cb_init(&b);
    cb_bytes(&b, head, sizeof head - 1);
    CHECK_EQ(b.len, 120u);
    cb_trailer(&b);
    b.len = 512;
    start();
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_STR(e.name, "a.txt");
    CHECK_EQ(e.mode, 0100644u);
    CHECK_EQ(e.mtime, 0x6B1356CCu);
    CHECK_EQ(e.size, 3u);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_END);
}

TEST(crc_format_checks_the_sum)
{
    cb_init(&b);
    struct cb_fields f = {.mode = 0100644, .nlink = 1, .filesize = 4, .namesize = 2};
    f.check = cb_sum("abcd", 4);
    cb_full(&b, "070702", f, "a", "abcd");
    f.check++;
    cb_full(&b, "070702", f, "b", "abcd");
    cb_trailer(&b);
    start();
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK(e.checksum_ok);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK(!e.checksum_ok); /* reported; the tree skips it */
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_END);
}

static void expect_error(const char *why_part, size_t at)
{
    enum cpio_newc_result res;
    while ((res = cpio_newc_next(&r, &e)) == CPIO_ENTRY)
        ;
    CHECK_EQ(res, CPIO_ERROR);
    CHECK(r.error != NULL && strstr(r.error, why_part) != NULL);
    CHECK_EQ(r.error_off, at);
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ERROR); /* and stays so */
}

TEST(bad_magic)
{
    cb_init(&b);
    cb_file(&b, "a", "x");
    memcpy(b.p + b.len, "070707", 6); /* the old portable format */
    cb_file(&b, "b", "y");
    memcpy(b.p + 116, "070707", 6);
    start();
    expect_error("magic", 116);
}

TEST(non_hex_digits)
{
    static const char *bad[] = {"0000000g", "-0000001", " 0000001", "0x000001", "0000000\n"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int field = 0; field < 13; field++) {
            cb_init(&b);
            cb_file(&b, "name", "data");
            memcpy(b.p + 6 + field * 8, bad[i], 8);
            cb_trailer(&b);
            start();
            expect_error("hexadecimal", 0);
        }
    }
}

TEST(name_size_zero)
{
    cb_init(&b);
    struct cb_fields f = {.mode = 0100644, .namesize = 0};
    cb_header(&b, "070701", &f);
    cb_bytes(&b, "\0\0\0\0", 4);
    start();
    expect_error("name size of 0", 0);
}

TEST(name_without_nul)
{
    cb_init(&b);
    struct cb_fields f = {.mode = 0100644, .namesize = 4};
    cb_header(&b, "070701", &f);
    cb_bytes(&b, "abcd", 4); /* the NUL should be the 4th byte */
    cb_trailer(&b);
    start();
    expect_error("NUL", 0);

    cb_init(&b);
    f.namesize = 5;
    cb_header(&b, "070701", &f);
    cb_bytes(&b, "ab\0d\0", 5); /* a NUL before the last */
    cb_pad(&b);
    cb_trailer(&b);
    start();
    expect_error("NUL", 0);
}

TEST(sizes_past_the_end)
{
    /* the name */
    cb_init(&b);
    cb_file(&b, "first", "1");
    size_t second = b.len;
    struct cb_fields f = {.mode = 0100644, .namesize = 0xffffffff};
    cb_header(&b, "070701", &f);
    cb_bytes(&b, "x", 2);
    start();
    expect_error("name runs past", second);
    /* the data, by one byte and by 4 GiB - 1 */
    uint32_t sizes[] = {5, 0xffffffff, 0x80000000};
    for (unsigned i = 0; i < 3; i++) {
        cb_init(&b);
        struct cb_fields g = {.mode = 0100644, .namesize = 2, .filesize = sizes[i]};
        cb_header(&b, "070701", &g);
        cb_bytes(&b, "x", 2);
        cb_pad(&b);
        cb_bytes(&b, "abcd", 4);
        start();
        expect_error("data runs past", 0);
    }
    /* a header cut short */
    cb_init(&b);
    cb_file(&b, "a", "b");
    size_t cut = b.len;
    cb_trailer(&b);
    b.len = cut + 60;
    start();
    expect_error("cut short", cut);
}

TEST(no_trailer)
{
    cb_init(&b);
    cb_file(&b, "a", "b");
    size_t end = b.len;
    start();
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    expect_error("TRAILER", end);
    /* an empty archive too */
    cb_init(&b);
    start();
    expect_error("TRAILER", 0);
}

TEST(last_data_padding_may_be_missing_only_at_the_end)
{
    cb_init(&b);
    cb_file(&b, "a", "xyz"); /* 3 bytes of data, padded by 1 */
    b.len--;                 /* the pad is gone */
    start();
    CHECK_EQ(cpio_newc_next(&r, &e), CPIO_ENTRY);
    CHECK_EQ(e.size, 3u);
    expect_error("TRAILER", b.len);
}

TEST(is_newc)
{
    CHECK(cpio_newc_magic("070701", 6));
    CHECK(cpio_newc_magic("070702xyz", 9));
    CHECK(!cpio_newc_magic("070707", 6));
    CHECK(!cpio_newc_magic("07070", 5));
    CHECK(!cpio_newc_magic("\x1f\x8b\x08\x00\x00\x00", 6));
}

UNIT_MAIN()
