/* Azure's ready report, its pure parts: the goal state reader and the
 * health report (net/azure/goalstate.c), and the HTTP answer reader
 * (net/azure/http_reply.c), with well-formed and malformed input. */
#include "net/azure/goalstate.h"
#include "net/azure/http_reply.h"
#include "tests/unit/unit.h"

/* The goal state's shape: the elements the report needs, inside others. */
static const char GOAL_STATE[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<GoalState xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xsi:noNamespaceSchemaLocation=\"goalstate10.xsd\">\n"
    "  <Version>2012-11-30</Version>\n"
    "  <Incarnation>12</Incarnation>\n"
    "  <Machine><ExpectedState>Started</ExpectedState></Machine>\n"
    "  <!-- a comment <InstanceId>not-this</InstanceId> -->\n"
    "  <Container>\n"
    "    <ContainerId>7b324f53-983a-43bc-b919-1775d6077608</ContainerId>\n"
    "    <RoleInstanceList>\n"
    "      <RoleInstance>\n"
    "        <InstanceId>fbb84507-46cd-4f4e-bd78-a2edaa9d059b._vm2</InstanceId>\n"
    "        <State>Started</State>\n"
    "        <Configuration><HostingEnvironmentConfig a='>/'>http://x/?a=1&amp;b=2"
    "</HostingEnvironmentConfig></Configuration>\n"
    "      </RoleInstance>\n"
    "    </RoleInstanceList>\n"
    "  </Container>\n"
    "</GoalState>\n";

static const char *parse(const char *xml, struct azure_goalstate *gs)
{
    return azure_goalstate_parse(xml, strlen(xml), gs);
}

TEST(goal_state_ids_and_incarnation)
{
    struct azure_goalstate gs;
    CHECK(parse(GOAL_STATE, &gs) == NULL);
    CHECK_EQ(gs.incarnation, 12u);
    CHECK_STR(gs.container_id, "7b324f53-983a-43bc-b919-1775d6077608");
    CHECK_STR(gs.instance_id, "fbb84507-46cd-4f4e-bd78-a2edaa9d059b._vm2");
}

TEST(goal_state_blanks_around_values_trimmed)
{
    struct azure_goalstate gs;
    const char *xml = "<GoalState><Incarnation>\r\n 4294967295 </Incarnation><Container>"
                      "<ContainerId> c </ContainerId><RoleInstanceList><RoleInstance>"
                      "<InstanceId>\ti\n</InstanceId></RoleInstance></RoleInstanceList>"
                      "</Container></GoalState>";
    CHECK(parse(xml, &gs) == NULL);
    CHECK_EQ(gs.incarnation, 4294967295u);
    CHECK_STR(gs.container_id, "c");
    CHECK_STR(gs.instance_id, "i");
}

/* One malformed goal state and the reason it must be refused with. */
struct bad_case {
    const char *xml, *reason;
};

#define WRAP(inc, cid, iid)                                                                        \
    "<GoalState><Incarnation>" inc "</Incarnation><Container><ContainerId>" cid                    \
    "</ContainerId><RoleInstanceList><RoleInstance><InstanceId>" iid                               \
    "</InstanceId></RoleInstance></RoleInstanceList></Container></GoalState>"

TEST(goal_state_malformed_refused_with_a_reason)
{
    static const struct bad_case cases[] = {
        {"", "no XML element"},
        {"   ", "no XML element"},
        {"<GoalState><Incarnation>1</Incarnation>", "an element is not closed"},
        {"<GoalState></Goalstate>", "an end tag does not match the element it closes"},
        {"<GoalState></GoalState><X/>", "more than one root element"},
        {"junk<GoalState/>", "text outside the root element"},
        {"<GoalState", "a start tag is not closed"},
        {"<GoalState a=\"x>", "an attribute value is not closed"},
        {"<Goal<State>", "'<' inside a start tag"},
        {"<!DOCTYPE x><GoalState/>", "a DOCTYPE or CDATA section (not expected in a goal state)"},
        {"<!-- <GoalState/>", "a comment is not closed"},
        {"<?xml <GoalState/>", "a processing instruction is not closed"},
        {"< GoalState/>", "a start tag has no name, or one longer than 64 characters"},
        {"<GoalState/>", "Incarnation is missing"},
        {WRAP("1", "c", "i") "", NULL},
        {WRAP("", "c", "i"), "Incarnation is empty"},
        {WRAP("1/2", "c", "i"), "Incarnation holds a character other than a letter, a digit, "
                                "'-', '.' or '_'"},
        {WRAP("-1", "c", "i"), "Incarnation is not a decimal number below 2^32"},
        {WRAP("4294967296", "c", "i"), "Incarnation is not a decimal number below 2^32"},
        {WRAP("1", "", "i"), "ContainerId is empty"},
        {WRAP("1", "a&amp;b", "i"),
         "ContainerId holds a character other than a letter, a digit, '-', '.' or '_'"},
        {WRAP("1", "a b", "i"),
         "ContainerId holds a character other than a letter, a digit, '-', '.' or '_'"},
        {WRAP("1", "c", "<b>x</b>"), "InstanceId holds an element"},
        {WRAP("1", "c", "\"><evil/>"), "InstanceId holds an element"},
        {"<GoalState><Incarnation>1</Incarnation><Incarnation>2</Incarnation></GoalState>",
         "Incarnation appears more than once"},
        {"<GoalState><Incarnation>1</Incarnation><Container><ContainerId>c</ContainerId>"
         "</Container></GoalState>",
         "InstanceId is missing"},
        {"<GoalState><Incarnation>1</Incarnation><Container><ContainerId/><RoleInstanceList>"
         "<RoleInstance><InstanceId>i</InstanceId></RoleInstance></RoleInstanceList>"
         "</Container></GoalState>",
         "ContainerId is empty"},
        {"<GoalState><Incarnation>1</Incarnation><Container><ContainerId>c</ContainerId>"
         "<RoleInstanceList><RoleInstance><InstanceId>i</InstanceId></RoleInstance>"
         "<RoleInstance><InstanceId>j</InstanceId></RoleInstance></RoleInstanceList>"
         "</Container></GoalState>",
         "InstanceId appears more than once"},
        /* In the wrong place: not the value the report needs. */
        {"<GoalState><Incarnation>1</Incarnation><ContainerId>c</ContainerId>"
         "<InstanceId>i</InstanceId></GoalState>",
         "ContainerId is missing"},
        {"<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>", "elements nested deeper than 16"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct azure_goalstate gs;
        const char *why = parse(cases[i].xml, &gs);
        bool ok = cases[i].reason == NULL ? why == NULL
                                          : why != NULL && strcmp(why, cases[i].reason) == 0;
        if (!ok)
            fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, why ? why : "(none)",
                    cases[i].reason ? cases[i].reason : "(none)");
        CHECK(ok);
    }
}

TEST(goal_state_ids_longer_than_the_limit_refused)
{
    char id[AZURE_ID_MAX + 2], xml[512];
    struct azure_goalstate gs;
    memset(id, 'a', AZURE_ID_MAX);
    id[AZURE_ID_MAX] = '\0';
    snprintf(xml, sizeof xml, WRAP("1", "%s", "i"), id);
    CHECK(parse(xml, &gs) == NULL && strlen(gs.container_id) == AZURE_ID_MAX);
    id[AZURE_ID_MAX] = 'a';
    id[AZURE_ID_MAX + 1] = '\0';
    snprintf(xml, sizeof xml, WRAP("1", "c", "%s"), id);
    CHECK_STR(parse(xml, &gs), "InstanceId is longer than 128 characters");
}

TEST(goal_state_bytes_after_a_nul_still_read_and_refused)
{
    /* The length, not a NUL, ends the input; a NUL inside a value is refused. */
    static const char xml[] = WRAP("1", "c\0d", "i");
    struct azure_goalstate gs;
    CHECK_STR(azure_goalstate_parse(xml, sizeof xml - 1, &gs),
              "ContainerId holds a character other than a letter, a digit, '-', '.' or '_'");
    /* Cut short: the same bytes without their end. */
    CHECK_STR(azure_goalstate_parse(GOAL_STATE, 200, &gs), "an element is not closed");
}

TEST(health_report_as_the_article_gives_it)
{
    struct azure_goalstate gs = {.incarnation = 3};
    strcpy(gs.container_id, "7b324f53-983a-43bc-b919-1775d6077608");
    strcpy(gs.instance_id, "fbb84507-46cd-4f4e-bd78-a2edaa9d059b._vm2");
    char buf[1024];
    size_t n = azure_health_report(&gs, buf, sizeof buf);
    static const char want[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Health><GoalStateIncarnation>3"
        "</GoalStateIncarnation><Container><ContainerId>7b324f53-983a-43bc-b919-1775d6077608"
        "</ContainerId><RoleInstanceList><Role><InstanceId>"
        "fbb84507-46cd-4f4e-bd78-a2edaa9d059b._vm2</InstanceId><Health><State>Ready</State>"
        "</Health></Role></RoleInstanceList></Container></Health>";
    CHECK_EQ(n, sizeof want - 1);
    CHECK_STR(buf, want);
    /* Too small a buffer: nothing, rather than a cut document. */
    CHECK_EQ(azure_health_report(&gs, buf, n), 0u);
    CHECK_EQ(azure_health_report(&gs, buf, n + 1), n);
}

TEST(health_report_refuses_ids_the_parser_would_not_give)
{
    struct azure_goalstate gs = {.incarnation = 1};
    char buf[1024];
    strcpy(gs.container_id, "c</ContainerId>");
    strcpy(gs.instance_id, "i");
    CHECK_EQ(azure_health_report(&gs, buf, sizeof buf), 0u);
    strcpy(gs.container_id, "");
    CHECK_EQ(azure_health_report(&gs, buf, sizeof buf), 0u);
    memset(gs.container_id, 'a', sizeof gs.container_id); /* no NUL within the limit */
    CHECK_EQ(azure_health_report(&gs, buf, sizeof buf), 0u);
}

TEST(goal_state_round_trip_through_the_report)
{
    /* The report carries what the goal state said, unchanged. */
    struct azure_goalstate gs;
    CHECK(parse(GOAL_STATE, &gs) == NULL);
    char buf[1024];
    CHECK(azure_health_report(&gs, buf, sizeof buf) > 0);
    CHECK(strstr(buf, "<ContainerId>7b324f53-983a-43bc-b919-1775d6077608</ContainerId>"));
    CHECK(strstr(buf, "<InstanceId>fbb84507-46cd-4f4e-bd78-a2edaa9d059b._vm2</InstanceId>"));
    CHECK(strstr(buf, "<GoalStateIncarnation>12</GoalStateIncarnation>"));
}

/* ---- the HTTP answer ---- */

static enum http_reply_state reply(const char *s, bool closed, struct http_reply *r)
{
    return http_reply_parse(s, strlen(s), closed, r);
}

TEST(http_reply_with_a_length)
{
    struct http_reply r;
    const char *a = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\ncontent-length: 5\r\n\r\nhello";
    CHECK_EQ(reply(a, false, &r), HTTP_REPLY_DONE);
    CHECK_EQ(r.status, 200u);
    CHECK_EQ(r.body_len, 5u);
    CHECK(memcmp(a + r.body_off, "hello", 5) == 0);
    /* Each shorter prefix is incomplete while open, refused once closed. */
    for (size_t n = 0; n < strlen(a); n++) {
        CHECK_EQ(http_reply_parse(a, n, false, &r), HTTP_REPLY_INCOMPLETE);
        CHECK_EQ(http_reply_parse(a, n, true, &r), HTTP_REPLY_BAD);
        CHECK(r.error != NULL);
    }
}

TEST(http_reply_without_a_length_ends_with_the_connection)
{
    struct http_reply r;
    const char *a = "HTTP/1.0 500 Internal Server Error\r\n\r\nbody";
    CHECK_EQ(reply(a, false, &r), HTTP_REPLY_INCOMPLETE);
    CHECK_EQ(reply(a, true, &r), HTTP_REPLY_DONE);
    CHECK_EQ(r.status, 500u);
    CHECK_EQ(r.body_len, 4u);
    CHECK_EQ(reply("HTTP/1.1 204\r\n\r\n", true, &r), HTTP_REPLY_DONE);
    CHECK_EQ(r.status, 204u);
    CHECK_EQ(r.body_len, 0u);
}

TEST(http_reply_chunked_body_put_together)
{
    /* Chunks with an extension, upper- and lower-case sizes, a trailer. */
    static const char a[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                            "5;name=\"v\"\r\n<Goal\r\nA\r\nState>1234\r\na\r\n</GoalSta>\r\n"
                            "0\r\nX-Trailer: t\r\n\r\n";
    char buf[sizeof a];
    memcpy(buf, a, sizeof a);
    size_t len = sizeof a - 1;
    struct http_reply r;
    for (size_t n = 0; n < len; n++)
        CHECK_EQ(http_reply_parse(buf, n, false, &r), HTTP_REPLY_INCOMPLETE);
    CHECK_EQ(http_reply_parse(buf, len, false, &r), HTTP_REPLY_DONE);
    CHECK(r.chunked && r.error == NULL);
    CHECK_EQ(r.body_len, 25u);
    http_reply_dechunk(buf, len, &r);
    CHECK(memcmp(buf + r.body_off, "<GoalState>1234</GoalSta>", 25) == 0);
    /* Not chunked: left as it is. */
    static const char b[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
    char copy[sizeof b];
    memcpy(copy, b, sizeof b);
    CHECK_EQ(http_reply_parse(copy, sizeof b - 1, false, &r), HTTP_REPLY_DONE);
    http_reply_dechunk(copy, sizeof b - 1, &r);
    CHECK(memcmp(copy, b, sizeof b) == 0);
}

TEST(http_reply_malformed_refused)
{
    static const struct bad_case cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", "the status line is not \"HTTP/1.x NNN ...\""},
        {"HTTP/1.1 20 OK\r\n\r\n", "the status line is not \"HTTP/1.x NNN ...\""},
        {"HTTP/1.1 2000 OK\r\n\r\n", "the status line is not \"HTTP/1.x NNN ...\""},
        {"http/1.1 200 OK\r\n\r\n", "the status line is not \"HTTP/1.x NNN ...\""},
        {"HTTP/1.1 100 Continue\r\n\r\n",
         "an interim (1xx) answer to a request that asked for none"},
        {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "a malformed header line"},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "a folded header line"},
        {"HTTP/1.1 200 OK\r\nBad Name: b\r\n\r\n", "a malformed header line"},
        {"HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n", "a control character in a header line"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
         "Content-Length is not a number below 10^7"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n",
         "Content-Length is not a number below 10^7"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n",
         "Content-Length is not a number below 10^7"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
         "two different Content-Length values"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
         "a transfer coding other than one \"chunked\""},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
         "a transfer coding other than one \"chunked\""},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n",
         "a transfer coding other than one \"chunked\""},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
         "0\r\n\r\n",
         "both Transfer-Encoding and Content-Length"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", "a chunk without a size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000\r\n",
         "a chunk size longer than 6 hexadecimal digits"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
         "a chunk size line does not end in CRLF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
         "a chunk's data is not followed by CRLF"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
         "the connection closed inside the chunked body"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "80000\r\n",
         "the connection closed inside the chunked body"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_reply r;
        enum http_reply_state st = reply(cases[i].xml, true, &r);
        bool ok = st == HTTP_REPLY_BAD && r.error != NULL && strcmp(r.error, cases[i].reason) == 0;
        if (!ok)
            fprintf(stderr, "case %zu: state %d, \"%s\"\n", i, (int)st, r.error ? r.error : "");
        CHECK(ok);
    }
    struct http_reply r;
    CHECK_EQ(reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nab", true, &r),
             HTTP_REPLY_DONE);
    CHECK_EQ(r.body_len, 1u);
}

UNIT_MAIN()
