/* Kernel command-line parsing. The command line comes from the boot loader or
 * the VMM, so it is untrusted input: every byte is checked, every limit is
 * enforced, and a rejection names the column (1-based) where it happened.
 *
 * Grammar (whitespace = space, tab, newline):
 *   line   := { param } [ "--" { arg } ]
 *   param  := key [ "=" word ]        key: no '"', no '=', non-empty
 *   arg    := word
 *   word   := characters up to whitespace; a '"' toggles quoting, inside
 *             quotes whitespace is literal; the quotes themselves are removed.
 * Everything lands in cmdline.storage: a token's bytes plus one NUL never
 * exceed the token's length in the text plus one, so storage holds any line of
 * at most CMDLINE_MAX_BYTES-1 bytes with the maximum number of tokens. */
#include "core/cmdline.h"

#include <string.h>

/* Small bounded string builder for the error message (no snprintf here). */
struct msgbuf {
    char *buf;
    size_t len, cap;
};

static void msg_char(struct msgbuf *m, char c)
{
    if (m->cap != 0 && m->len + 1 < m->cap) {
        m->buf[m->len++] = c;
        m->buf[m->len] = '\0';
    }
}

static void msg_str(struct msgbuf *m, const char *s)
{
    while (*s != '\0')
        msg_char(m, *s++);
}

static void msg_uint(struct msgbuf *m, size_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        msg_char(m, digits[--n]);
}

static void msg_hex2(struct msgbuf *m, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    msg_str(m, "0x");
    msg_char(m, hex[(v >> 4) & 15]);
    msg_char(m, hex[v & 15]);
}

/* Writes "<what> at column <index+1>" into err. */
static int fail(char *err, size_t errlen, const char *what, size_t index)
{
    struct msgbuf m = {err, 0, errlen};
    if (errlen != 0)
        err[0] = '\0';
    msg_str(&m, what);
    msg_str(&m, " at column ");
    msg_uint(&m, index + 1);
    return -1;
}

static int fail_control(char *err, size_t errlen, unsigned char c, size_t index)
{
    struct msgbuf m = {err, 0, errlen};
    if (errlen != 0)
        err[0] = '\0';
    msg_str(&m, "control character ");
    msg_hex2(&m, c);
    msg_str(&m, " at column ");
    msg_uint(&m, index + 1);
    return -1;
}

static bool is_separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static bool is_control(char c)
{
    unsigned char u = (unsigned char)c;
    return (u < 0x20 && c != '\t' && c != '\n') || u == 0x7f;
}

struct parser {
    const char *text;
    size_t len;
    size_t pos;
    char *dst;
    char *dst_end;
    char *err;
    size_t errlen;
};

static int put(struct parser *p, char c)
{
    /* Cannot trigger given the storage size (see the top comment); kept so
     * that a future change of the limits fails safely. */
    if (p->dst == p->dst_end)
        return fail(p->err, p->errlen, "command line too long", p->pos);
    *p->dst++ = c;
    return 0;
}

/* Reads a word (a value or an argument) at p->pos, removing quotes, and
 * NUL-terminates it in storage. */
static int read_word(struct parser *p)
{
    bool quoted = false;
    size_t quote_pos = 0;
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (!quoted && is_separator(c))
            break;
        if (c == '"') {
            quoted = !quoted;
            quote_pos = p->pos;
        } else if (is_control(c)) {
            return fail_control(p->err, p->errlen, (unsigned char)c, p->pos);
        } else if (put(p, c) < 0) {
            return -1;
        }
        p->pos++;
    }
    if (quoted)
        return fail(p->err, p->errlen, "unterminated quote", quote_pos);
    return put(p, '\0');
}

static int read_param(struct parser *p, struct cmdline *out)
{
    char *key = p->dst;
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (is_separator(c) || c == '=')
            break;
        if (c == '"')
            return fail(p->err, p->errlen, "quote in parameter name", p->pos);
        if (is_control(c))
            return fail_control(p->err, p->errlen, (unsigned char)c, p->pos);
        if (put(p, c) < 0)
            return -1;
        p->pos++;
    }
    if (p->dst == key)
        return fail(p->err, p->errlen, "empty parameter name", p->pos);
    if (put(p, '\0') < 0)
        return -1;
    const char *value = NULL;
    if (p->pos < p->len && p->text[p->pos] == '=') {
        p->pos++;
        value = p->dst;
        if (read_word(p) < 0)
            return -1;
    }
    out->params[out->nparams].key = key;
    out->params[out->nparams].value = value;
    out->nparams++;
    return 0;
}

static int parse(struct parser *p, struct cmdline *out)
{
    bool in_args = false;
    for (;;) {
        while (p->pos < p->len && is_separator(p->text[p->pos]))
            p->pos++;
        if (p->pos == p->len)
            return 0;
        const char *t = p->text + p->pos;
        size_t rest = p->len - p->pos;
        if (!in_args && rest >= 2 && t[0] == '-' && t[1] == '-' &&
            (rest == 2 || is_separator(t[2]))) {
            in_args = true;
            p->pos += 2;
            continue;
        }
        /* QEMU (microvm, acpi=off) appends its virtio_mmio.device= entries at
         * the very end, after the user's `--`: they are the VMM's parameters,
         * not the application's arguments. */
        static const char vmm_param[] = "virtio_mmio.device=";
        if (in_args && rest >= sizeof vmm_param - 1 &&
            memcmp(t, vmm_param, sizeof vmm_param - 1) == 0) {
            if (out->nparams == CMDLINE_MAX_PARAMS)
                return fail(p->err, p->errlen, "too many parameters (max 64)", p->pos);
            if (read_param(p, out) < 0)
                return -1;
            continue;
        }
        if (in_args) {
            if (out->argc == CMDLINE_MAX_ARGS)
                return fail(p->err, p->errlen, "too many arguments (max 32)", p->pos);
            char *arg = p->dst;
            if (read_word(p) < 0)
                return -1;
            out->argv[out->argc++] = arg;
        } else {
            if (out->nparams == CMDLINE_MAX_PARAMS)
                return fail(p->err, p->errlen, "too many parameters (max 64)", p->pos);
            if (read_param(p, out) < 0)
                return -1;
        }
    }
}

_Static_assert(CMDLINE_MAX_ARGS == 32 && CMDLINE_MAX_PARAMS == 64,
               "update the limits in the error messages");

int cmdline_parse(const char *text, struct cmdline *out, char *err, size_t errlen)
{
    out->nparams = 0;
    out->argc = 0;
    out->argv[0] = NULL;
    if (errlen != 0)
        err[0] = '\0';
    if (text == NULL)
        text = "";
    size_t len = strnlen(text, CMDLINE_MAX_BYTES);
    if (len >= CMDLINE_MAX_BYTES)
        return fail(err, errlen, "command line too long (max 2047 bytes)", CMDLINE_MAX_BYTES - 1);

    struct parser p = {
        .text = text,
        .len = len,
        .pos = 0,
        .dst = out->storage,
        .dst_end = out->storage + sizeof out->storage,
        .err = err,
        .errlen = errlen,
    };
    if (parse(&p, out) < 0) {
        /* Nothing half-parsed is left for a careless caller to use. */
        out->nparams = 0;
        out->argc = 0;
        out->argv[0] = NULL;
        return -1;
    }
    out->argv[out->argc] = NULL;
    return 0;
}

_Static_assert(CMDLINE_MAX_BYTES == 2048, "update the length limit in the error message");

const char *cmdline_get(const struct cmdline *c, const char *key)
{
    for (unsigned i = c->nparams; i > 0; i--) {
        const struct cmdline_param *p = &c->params[i - 1];
        if (strcmp(p->key, key) == 0)
            return p->value != NULL ? p->value : "";
    }
    return NULL;
}

bool cmdline_has(const struct cmdline *c, const char *key)
{
    return cmdline_get(c, key) != NULL;
}

/* Parameters the Linux kernel understands and that Firecracker, QEMU's
 * -append users and GRUB routinely add. anyvm tolerates them (initrd= is
 * read by the EFI entry, boot/efi/efi_initrd.c, before the kernel runs). */
static const char *const linux_params[] = {
    "console", "reboot",   "panic", "pci",         "root",        "rootfstype", "rw",
    "ro",      "nomodule", "quiet", "init",        "earlyprintk", "swiotlb",    "acpi",
    "noapic",  "nolapic",  "tsc",   "clocksource", "BOOT_IMAGE",  "initrd",
};
static const char *const linux_prefixes[] = {"8250.", "i8042.", "virtio_mmio."};

bool cmdline_is_linux_param(const char *key)
{
    if (key == NULL)
        return false;
    for (size_t i = 0; i < sizeof linux_params / sizeof linux_params[0]; i++)
        if (strcmp(key, linux_params[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof linux_prefixes / sizeof linux_prefixes[0]; i++)
        if (strncmp(key, linux_prefixes[i], strlen(linux_prefixes[i])) == 0)
            return true;
    return false;
}
