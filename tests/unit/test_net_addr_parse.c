/* The command line's address parsers (net/stack/addr_parse.c): what they
 * take, compared with the host C library's inet_pton, and what they refuse
 * that inet_aton would have taken (octal, hex and short forms). */
#include <arpa/inet.h>

#include "net/stack/addr_parse.h"
#include "tests/unit/unit.h"

static bool same6(const char *s)
{
    uint8_t ours[16], host[16];
    bool a = addr_parse_ip6(s, ours);
    bool b = inet_pton(AF_INET6, s, host) == 1;
    if (a != b || (a && memcmp(ours, host, 16) != 0))
        fprintf(stderr, "ip6 \"%s\": ours %d, host %d\n", s, a, b);
    return a == b && (!a || memcmp(ours, host, 16) == 0);
}

TEST(ipv4_dotted_quads_only)
{
    uint8_t a[4];
    CHECK(addr_parse_ip4("10.0.2.15", a) && a[0] == 10 && a[1] == 0 && a[2] == 2 && a[3] == 15);
    CHECK(addr_parse_ip4("255.255.255.255", a) && a[3] == 255);
    CHECK(addr_parse_ip4("0.0.0.0", a) && a[0] == 0);
    const char *bad[] = {"",           "10.0.2",     "10.0.2.15.1", "256.0.0.1",
                         "010.0.0.1",  "0x0a.0.0.1", "10..2.15",    "10.0.2.15 ",
                         " 10.0.2.15", "1.2.3.-4",   "1.2.3.4/24",  "1234.1.1.1"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (addr_parse_ip4(bad[i], a))
            fprintf(stderr, "took \"%s\"\n", bad[i]);
        CHECK(!addr_parse_ip4(bad[i], a));
    }
}

TEST(ipv6_as_inet_pton_reads_it)
{
    const char *cases[] = {"::",
                           "::1",
                           "fe80::1",
                           "fd00::15",
                           "1:2:3:4:5:6:7:8",
                           "1::8",
                           "1:2:3:4:5:6:7::",
                           "::2:3:4:5:6:7:8",
                           "FE80::5054:FF:FE12:3456",
                           "1:2:3:4:5:6::8",
                           "",
                           ":",
                           ":::",
                           "1:::2",
                           "1::2::3",
                           "12345::",
                           "1:2:3:4:5:6:7:8:9",
                           "1:2:3:4:5:6:7",
                           ":1::2",
                           "1::2:",
                           "g::1",
                           "1:2:3:4:5:6:7:8::",
                           "fe80::1%1"};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(same6(cases[i]));
}

TEST(prefixes)
{
    uint8_t a[16];
    unsigned p;
    CHECK(addr_parse_ip4_prefix("10.0.2.15/24", a, &p, 99) && p == 24 && a[3] == 15);
    CHECK(addr_parse_ip4_prefix("10.0.2.15", a, &p, 24) && p == 24);
    CHECK(addr_parse_ip4_prefix("10.0.2.15/0", a, &p, 24) && p == 0);
    CHECK(addr_parse_ip4_prefix("10.0.2.15/32", a, &p, 24) && p == 32);
    CHECK(!addr_parse_ip4_prefix("10.0.2.15/33", a, &p, 24));
    CHECK(!addr_parse_ip4_prefix("10.0.2.15/", a, &p, 24));
    CHECK(!addr_parse_ip4_prefix("10.0.2.15/024", a, &p, 24));
    CHECK(!addr_parse_ip4_prefix("10.0.2.15/24/1", a, &p, 24));
    CHECK(!addr_parse_ip4_prefix("/24", a, &p, 24));
    CHECK(addr_parse_ip6_prefix("fd00::15/64", a, &p, 0) && p == 64 && a[15] == 0x15);
    CHECK(addr_parse_ip6_prefix("fd00::15", a, &p, 64) && p == 64);
    CHECK(addr_parse_ip6_prefix("fd00::15/128", a, &p, 64) && p == 128);
    CHECK(!addr_parse_ip6_prefix("fd00::15/129", a, &p, 64));
    char longer[80];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    CHECK(!addr_parse_ip6_prefix(longer, a, &p, 64));
}

UNIT_MAIN();
