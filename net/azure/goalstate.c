/* The goal state reader and the health report (net/azure/goalstate.h).
 *
 * The goal state is XML from the network: this is a small reader of its
 * own rather than a general XML parser. It walks tags and text, keeps the
 * path of open elements (at most DEPTH_MAX deep), skips the XML declaration,
 * processing instructions, comments and attributes, refuses DOCTYPE and
 * CDATA, checks that every end tag closes the element it should, and keeps
 * the text of the three elements the report needs. Every read is bounded by
 * len; nothing is assumed to be NUL-terminated. */
#include "net/azure/goalstate.h"

#include <stdbool.h>
#include <string.h>

#include "klib/format.h"

#define DEPTH_MAX 16
#define NAME_MAX_LEN 64

enum field { F_INCARNATION, F_CONTAINER_ID, F_INSTANCE_ID, F_COUNT, F_NONE = -1 };

/* Where each value sits (the goal state in Microsoft's no-agent article:
 * Incarnation, Container/ContainerId,
 * Container/RoleInstanceList/RoleInstance/InstanceId under GoalState). */
static const char *const paths[F_COUNT][6] = {
    {"GoalState", "Incarnation", NULL},
    {"GoalState", "Container", "ContainerId", NULL},
    {"GoalState", "Container", "RoleInstanceList", "RoleInstance", "InstanceId", NULL},
};

enum problem { P_MISSING, P_TWICE, P_NESTED, P_LONG, P_EMPTY, P_CHARS, P_COUNT };
#define MESSAGES(f)                                                                                \
    {                                                                                              \
        f " is missing", f " appears more than once", f " holds an element",                       \
            f " is longer than 128 characters", f " is empty",                                     \
            f " holds a character other than a letter, a digit, '-', '.' or '_'"                   \
    }
static const char *const messages[F_COUNT][P_COUNT] = {
    MESSAGES("Incarnation"), MESSAGES("ContainerId"), MESSAGES("InstanceId")};

struct name {
    const char *p;
    size_t n;
};

struct reader {
    const char *s;
    size_t len, pos;
    struct name open[DEPTH_MAX]; /* the path of open elements */
    unsigned depth;
    bool root_seen;
    enum field in_field; /* the innermost open element is this field's, or F_NONE */
    unsigned seen[F_COUNT];
    char text[F_COUNT][AZURE_ID_MAX + 1];
    size_t text_len[F_COUNT];
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

static bool is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static bool at(const struct reader *r, const char *lit)
{
    size_t n = strlen(lit);
    return r->len - r->pos >= n && memcmp(r->s + r->pos, lit, n) == 0;
}

/* Moves past the next occurrence of end; false when there is none. */
static bool skip_past(struct reader *r, const char *end)
{
    size_t n = strlen(end);
    for (; r->len - r->pos >= n; r->pos++) {
        if (memcmp(r->s + r->pos, end, n) == 0) {
            r->pos += n;
            return true;
        }
    }
    return false;
}

static struct name read_name(struct reader *r)
{
    struct name nm = {r->s + r->pos, 0};
    while (r->pos < r->len && is_name_char(r->s[r->pos]) && nm.n <= NAME_MAX_LEN) {
        r->pos++;
        nm.n++;
    }
    return nm;
}

static enum field field_at_path(const struct reader *r)
{
    for (int f = 0; f < F_COUNT; f++) {
        unsigned i = 0;
        while (i < r->depth && paths[f][i] != NULL && strlen(paths[f][i]) == r->open[i].n &&
               memcmp(paths[f][i], r->open[i].p, r->open[i].n) == 0)
            i++;
        if (i == r->depth && paths[f][i] == NULL)
            return (enum field)f;
    }
    return F_NONE;
}

static const char *start_tag(struct reader *r)
{
    r->pos++; /* '<' */
    struct name nm = read_name(r);
    if (nm.n == 0 || nm.n > NAME_MAX_LEN)
        return "a start tag has no name, or one longer than 64 characters";
    if (r->in_field != F_NONE)
        return messages[r->in_field][P_NESTED];
    if (r->depth == 0 && r->root_seen)
        return "more than one root element";
    if (r->depth == DEPTH_MAX)
        return "elements nested deeper than 16";
    /* Attributes are skipped: quoted values may hold '>' and '/'. */
    bool empty = false;
    for (;;) {
        if (r->pos >= r->len)
            return "a start tag is not closed";
        char c = r->s[r->pos];
        if (c == '>') {
            r->pos++;
            break;
        }
        if (c == '/' && at(r, "/>")) {
            r->pos += 2;
            empty = true;
            break;
        }
        if (c == '<')
            return "'<' inside a start tag";
        if (c == '"' || c == '\'') {
            r->pos++;
            while (r->pos < r->len && r->s[r->pos] != c)
                r->pos++;
            if (r->pos >= r->len)
                return "an attribute value is not closed";
        }
        r->pos++;
    }
    r->root_seen = true;
    r->open[r->depth++] = nm;
    enum field f = field_at_path(r);
    if (f != F_NONE && r->seen[f]++ != 0)
        return messages[f][P_TWICE];
    if (empty)
        r->depth--;
    else
        r->in_field = f;
    return NULL;
}

static const char *end_tag(struct reader *r)
{
    r->pos += 2; /* "</" */
    struct name nm = read_name(r);
    while (r->pos < r->len && is_space(r->s[r->pos]))
        r->pos++;
    if (r->pos >= r->len || r->s[r->pos] != '>')
        return "an end tag is not closed";
    r->pos++;
    if (r->depth == 0 || r->open[r->depth - 1].n != nm.n ||
        memcmp(r->open[r->depth - 1].p, nm.p, nm.n) != 0)
        return "an end tag does not match the element it closes";
    r->depth--;
    r->in_field = F_NONE;
    return NULL;
}

static const char *text(struct reader *r)
{
    for (; r->pos < r->len && r->s[r->pos] != '<'; r->pos++) {
        char c = r->s[r->pos];
        if (r->in_field != F_NONE) {
            enum field f = r->in_field;
            if (r->text_len[f] == AZURE_ID_MAX)
                return messages[f][P_LONG];
            r->text[f][r->text_len[f]++] = c;
        } else if (r->depth == 0 && !is_space(c)) {
            return "text outside the root element";
        }
    }
    return NULL;
}

/* Trims blanks around the field's text, checks it and NUL-terminates it. */
static const char *finish_field(struct reader *r, enum field f, char *out)
{
    if (r->seen[f] == 0)
        return messages[f][P_MISSING];
    const char *t = r->text[f];
    size_t n = r->text_len[f];
    while (n > 0 && is_space(t[0])) {
        t++;
        n--;
    }
    while (n > 0 && is_space(t[n - 1]))
        n--;
    if (n == 0)
        return messages[f][P_EMPTY];
    for (size_t i = 0; i < n; i++)
        if (!is_id_char(t[i]))
            return messages[f][P_CHARS];
    memmove(out, t, n);
    out[n] = '\0';
    return NULL;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

const char *azure_goalstate_parse(const char *xml, size_t len, struct azure_goalstate *out)
{
    static struct reader r; /* about 0.5 KiB: off the kernel's stack */
    memset(&r, 0, sizeof r);
    r.s = xml;
    r.len = len;
    r.in_field = F_NONE;
    while (r.pos < r.len) {
        const char *err;
        if (r.s[r.pos] != '<') {
            err = text(&r);
        } else if (at(&r, "<!--")) {
            err = skip_past(&r, "-->") ? NULL : "a comment is not closed";
        } else if (at(&r, "<?")) {
            err = skip_past(&r, "?>") ? NULL : "a processing instruction is not closed";
        } else if (at(&r, "<!")) {
            err = "a DOCTYPE or CDATA section (not expected in a goal state)";
        } else if (at(&r, "</")) {
            err = end_tag(&r);
        } else {
            err = start_tag(&r);
        }
        if (err != NULL)
            return err;
    }
    if (!r.root_seen)
        return "no XML element";
    if (r.depth != 0)
        return "an element is not closed";
    char inc[AZURE_ID_MAX + 1];
    const char *err = finish_field(&r, F_INCARNATION, inc);
    if (err == NULL && !parse_u32(inc, &out->incarnation))
        err = "Incarnation is not a decimal number below 2^32";
    if (err == NULL)
        err = finish_field(&r, F_CONTAINER_ID, out->container_id);
    if (err == NULL)
        err = finish_field(&r, F_INSTANCE_ID, out->instance_id);
    return err;
}

static bool id_ok(const char *id)
{
    size_t n = strnlen(id, AZURE_ID_MAX + 1);
    if (n == 0 || n > AZURE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_id_char(id[i]))
            return false;
    return true;
}

size_t azure_health_report(const struct azure_goalstate *gs, char *buf, size_t cap)
{
    /* The ids go in unescaped: only what the parser lets through may. */
    if (!id_ok(gs->container_id) || !id_ok(gs->instance_id))
        return 0;
    /* The document of the article's "Generic steps", step 2. */
    int n = ksnprintf(buf, cap,
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<Health><GoalStateIncarnation>%u</GoalStateIncarnation>"
                      "<Container><ContainerId>%s</ContainerId><RoleInstanceList><Role>"
                      "<InstanceId>%s</InstanceId><Health><State>Ready</State></Health>"
                      "</Role></RoleInstanceList></Container></Health>",
                      (unsigned)gs->incarnation, gs->container_id, gs->instance_id);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
