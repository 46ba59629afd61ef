/* tools/launcher/outcome.c: the guest's status from the serial transcript
 * and the VMM exit code, as the runner of `anyvm run` reads them. The same
 * rules as tools/anyvm_lib/status.py, which the boot matrix reads with;
 * tests/lib/test_runner.py runs both on the same inputs. */
#include <string.h>

#include "tools/launcher/outcome.h"
#include "tests/unit/unit.h"

static struct serial_scan scan;

static void feed(const char *text)
{
    serial_scan_init(&scan);
    serial_scan_feed(&scan, (const unsigned char *)text, strlen(text));
    serial_scan_finish(&scan);
}

static int code(const char *serial, int rc, bool exit_device, const char **message)
{
    static char buf[512];
    struct vmm_end e = {.rc = rc, .exit_device = exit_device, .timeout = 30};
    feed(serial);
    return outcome(&scan, &e, buf, sizeof(buf), message);
}

TEST(serial_status_lines)
{
    const char *m;
    CHECK_EQ(code("anyvm: exit status 0\n", 0, false, &m), 0);
    CHECK_EQ(code("Hello\nanyvm: exit status 42\n", 0, false, &m), 42);
    CHECK_EQ(code("anyvm: exit status 42   \r\n", 0, false, &m), 42);
    CHECK_EQ(code("Booting from ROM..anyvm: exit status 3\n", 0, false, &m), 3);
    CHECK_EQ(code("anyvm: panic: out of memory\n", 0, false, &m), OUTCOME_PANIC_STATUS);
    CHECK_EQ(code("anyvm: exit status 1\nanyvm: exit status 2\n", 0, false, &m), 2);
    CHECK_EQ(code("anyvm: exit status 5", 0, false, &m), 5); /* no final line end */
    CHECK_EQ(code("anyvm: exit status 5 anyvm: exit status 6\n", 0, false, &m), 6);
    CHECK(m == NULL);
}

TEST(no_serial_status)
{
    const char *texts[] = {"",
                           "Hello, world!\n",
                           "anyvm: exit status\n",
                           "anyvm: exit status 3 trailing\n",
                           "anyvm: exit status -1\n",
                           "anyvm: panicking\n"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        feed(texts[i]);
        CHECK(!scan.have_status);
    }
}

TEST(line_ends_as_python_splitlines)
{
    /* a form feed and NEL end a line, so the status line is whole */
    feed("x\fanyvm: exit status 7\xc2\x85tail");
    CHECK(scan.have_status && scan.status_mod == 7);
    /* US (0x1f) is a blank but no line end */
    feed("anyvm: exit status 7\x1fx");
    CHECK(!scan.have_status);
    feed("x\fanyvm: exit status 7\x1f\xc2\x85");
    CHECK(scan.have_status && scan.status_mod == 7);
    feed("anyvm: exit status 8\xe2\x80\xa8more");
    CHECK(scan.have_status && scan.status_mod == 8);
}

TEST(a_long_line_keeps_its_panic_and_its_end)
{
    static char line[3 * OUTCOME_LINE_MAX];
    memset(line, 'x', sizeof(line) - 1);
    memcpy(line + 10, "anyvm: panic: ", 14);
    feed(line);
    CHECK(scan.have_status && scan.status_mod == OUTCOME_PANIC_STATUS);
    memset(line, 'x', sizeof(line) - 1);
    memcpy(line + sizeof(line) - 1 - 22, "anyvm: exit status 9  ", 22);
    feed(line);
    CHECK(scan.have_status && scan.status_mod == 9);
}

TEST(exit_port_and_serial)
{
    const char *m;
    CHECK_EQ(code("anyvm: exit status 42\n", 85, true, &m), 42);
    CHECK(m == NULL);
    CHECK_EQ(code("anyvm: exit status 3\n", 1, true, &m), 0);
    CHECK_STR(m, "anyvm: warning: the VMM exit code 1 carries status 0, but the serial port "
                 "says 3");
    CHECK_EQ(code("no status line\n", 7, true, &m), 3);
    CHECK_STR(m, "anyvm: note: the guest printed no `anyvm: exit status` line; status 3 comes "
                 "from the VMM exit code 7 alone");
    CHECK_EQ(code("anyvm: exit status 3\n", 0, true, &m), 3);
    CHECK(m == NULL);
    CHECK_EQ(code("", 0, true, &m), OUTCOME_NO_STATUS);
    CHECK_EQ(code("", -9, true, &m), OUTCOME_VMM_FAILED);
    CHECK_STR(m, "anyvm: the VMM failed: it ended with exit code -9, which is no "
                 "isa-debug-exit status, and the guest printed no `anyvm: exit status` line");
    CHECK_EQ(code("anyvm: exit status 007\n", 2, true, &m), 7);
    CHECK_STR(m, "anyvm: warning: the VMM failed (exit code 2) after the guest reported status 7");
}

TEST(exit_code_1_with_a_vmm_complaint)
{
    static char buf[512];
    const char *m;
    struct vmm_end e = {.rc = 1, .exit_device = true, .stderr_nonblank = true};
    feed("");
    CHECK_EQ(outcome(&scan, &e, buf, sizeof(buf), &m), OUTCOME_VMM_FAILED);
    feed("Hello\n");
    CHECK_EQ(outcome(&scan, &e, buf, sizeof(buf), &m), OUTCOME_NO_STATUS);
}

TEST(without_an_exit_device)
{
    const char *m;
    CHECK_EQ(code("anyvm: exit status 0\n", 1, false, &m), 0);
    CHECK_STR(m, "anyvm: warning: the VMM exited with code 1 after the guest reported status 0");
    CHECK_EQ(code("anyvm: exit status 4\n", 1, false, &m), 4);
    CHECK(m == NULL);
    CHECK_EQ(code("Hello\n", 0, false, &m), OUTCOME_NO_STATUS);
}

TEST(timeout)
{
    static char buf[512];
    const char *m;
    struct vmm_end e = {.timed_out = true, .timeout = 2.5, .exit_device = true};
    feed("anyvm: exit status 0\n");
    CHECK_EQ(outcome(&scan, &e, buf, sizeof(buf), &m), OUTCOME_TIMEOUT);
    CHECK_STR(m, "anyvm: the VM did not end within 2.5 s; killed it");
}

TEST(exception_report_seen)
{
    feed("anyvm: exception #PF (page fault) at rip=0xffff1234\n  backtrace: 0x1 0x2\n");
    CHECK(scan.exception);
    feed("anyvm: exception of some kind\n");
    CHECK(!scan.exception);
}

UNIT_MAIN();
