/* tools/launcher/plan.c: a run plan is read only when every record is well
 * formed; a truncated, extended, foreign or self-contradicting file is
 * refused as a whole (the launcher then asks tools/anyvm afresh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/launcher/plan.h"
#include "tests/unit/unit.h"

static struct plan p;
static char err[256];

static const char GOOD[] = "anyvm-plan 1\n"
                           "cwd 4\n/tmp\n"
                           "arg 3\nrun\n"
                           "arg 5\na\nb;c\n"
                           "env 4\nPATH\n"
                           "dep 7\n- /nope\n"
                           "note 9\nanyvm: hi\n"
                           "vmm 4\nqemu\n"
                           "vmm 0\n\n"
                           "timeout 4\n30.0\n"
                           "kill-after 4\n40.0\n"
                           "timeout-rc 3\n124\n"
                           "exit-device 1\n1\n"
                           "end 0\n\n";

static int parse(const char *text, size_t n)
{
    static char buf[8192];
    memcpy(buf, text, n);
    buf[n] = 0;
    return plan_parse(&p, buf, n, err, sizeof(err));
}

TEST(a_good_plan)
{
    CHECK_EQ(parse(GOOD, sizeof(GOOD) - 1), 0);
    char *words[8];
    CHECK_EQ(plan_words(&p, PLAN_VMM, words, 7), 2);
    CHECK_STR(words[0], "qemu");
    CHECK_STR(words[1], "");
    CHECK(words[2] == NULL);
    CHECK_EQ(plan_words(&p, PLAN_ARG, words, 7), 2);
    CHECK(p.has_timeout && p.timeout == 30.0 && p.kill_after == 40.0);
    CHECK(p.has_timeout_rc && p.timeout_rc == 124 && p.exit_device);
    /* the key: the records before the first other one, as written */
    const char *key = strstr(GOOD, "cwd");
    CHECK_EQ(p.key_len, (size_t)(strstr(GOOD, "dep") - key));
    CHECK(memcmp(p.key, key, p.key_len) == 0);
    /* an argument with a line end in it stays whole */
    CHECK_EQ(p.rec[2].len, 5);
    CHECK(memcmp(p.rec[2].value, "a\nb;c", 5) == 0);
}

TEST(every_truncation_is_refused)
{
    for (size_t n = 0; n < sizeof(GOOD) - 1; n++)
        CHECK(parse(GOOD, n) != 0);
}

TEST(bytes_after_the_end_are_refused)
{
    char text[sizeof(GOOD) + 8];
    snprintf(text, sizeof(text), "%sx", GOOD);
    CHECK(parse(text, strlen(text)) != 0);
    CHECK_STR(err, "bytes after the end record");
}

static int parse_with(const char *from, const char *to)
{
    static char text[sizeof(GOOD) + 256];
    const char *at = strstr(GOOD, from);
    size_t head = (size_t)(at - GOOD);
    memcpy(text, GOOD, head);
    strcpy(text + head, to);
    strcat(text, at + strlen(from));
    return parse(text, strlen(text));
}

TEST(bad_records_are_refused)
{
    CHECK(parse_with("anyvm-plan 1", "anyvm-plan 2") != 0);
    CHECK(parse_with("vmm 4\nqemu\n", "vmx 4\nqemu\n") != 0);  /* an unknown name */
    CHECK(parse_with("vmm 4\nqemu\n", "vmm 04\nqemu\n") != 0); /* a leading zero */
    CHECK(parse_with("vmm 4\nqemu\n", "vmm 5\nqemu\n") != 0);  /* the wrong length */
    CHECK(parse_with("vmm 4\nqemu\n", "vmm 4\nq\0mu\n") != 0); /* cut at the NUL */
    CHECK(parse_with("vmm 4\nqemu\n", "vmm 99999999\nqemu\n") != 0);
    CHECK(parse_with("timeout 4\n30.0\n", "timeout 3\nnan\n") != 0);
    CHECK(parse_with("timeout 4\n30.0\n", "timeout 4\n-1.0\n") != 0);
    CHECK(parse_with("timeout-rc 3\n124\n", "timeout-rc 3\n256\n") != 0);
    CHECK(parse_with("exit-device 1\n1\n", "exit-device 1\n2\n") != 0);
    CHECK(parse_with("exit-device 1\n1\n", "") != 0);              /* required */
    CHECK(parse_with("kill-after 4\n40.0\n", "") != 0);            /* a timeout needs it */
    CHECK(parse_with("vmm 4\nqemu\nvmm 0\n\n", "") != 0);          /* no command */
    CHECK(parse_with("vmm 4\nqemu\nvmm 0\n\n", "vmm 0\n\n") != 0); /* an empty program */
    CHECK(parse_with("dep 7\n- /nope\n", "dep 7\n- /nope\narg 1\nx\n") != 0); /* key late */
    CHECK(parse_with("end 0\n\n", "scratch 3\ntmp\nend 0\n\n") != 0);         /* not absolute */
    CHECK_EQ(parse_with("end 0\n\n", "scratch 4\n/tmp\nend 0\n\n"), 0);
    CHECK_STR(p.scratch, "/tmp");
}

UNIT_MAIN();
