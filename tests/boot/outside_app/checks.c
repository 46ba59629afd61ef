/* The C library without floating point: stdio, strings, stdlib, ctype,
 * errno, limits. Nothing here may compute in floating point: --no-float
 * runs only this, clocks.c and memory.c. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outside.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *errno_name(int err)
{
    switch (err) {
    case 0:
        return "0";
    case ENOENT:
        return "ENOENT";
    case ERANGE:
        return "ERANGE";
    case ENOMEM:
        return "ENOMEM";
    case EAGAIN:
        return "EAGAIN";
    case ENOSYS:
        return "ENOSYS";
    case EINVAL:
        return "EINVAL";
    default:
        return "other";
    }
}

int check_stdio(void)
{
    int failed = 0;
    printf("outside: printf %d|%5d|%-5d|%05d|%x|%#X|%#o|%c|%s|%.3s|%*d|%%\n", -42, 42, 42, 42, 255,
           255, 8, 'Z', "text", "abcdef", 6, 7);
    printf("outside: printf %ld %llu %zu %hhd\n", LONG_MIN, ULLONG_MAX, sizeof(long long),
           (signed char)200);
    fprintf(stdout, "outside: fprintf to stdout\n");
    fprintf(stderr, "outside: fprintf to stderr\n");
    puts("outside: puts");
    errno = ENOENT;
    perror("outside: perror");

    char buf[8];
    int n = snprintf(buf, sizeof buf, "%s-%d", "truncated", 12345);
    printf("outside: snprintf returned %d, kept \"%s\"\n", n, buf);

    int id = 0;
    unsigned hex = 0;
    char name[16] = "";
    n = sscanf("id=42 name=probe hex=ff rest", "id=%d name=%15s hex=%x", &id, name, &hex);
    printf("outside: sscanf %d fields: id=%d name=%s hex=%u\n", n, id, name, hex);

    /* The console reads as end of file (docs/apps.md, "The C library"). */
    int ch = getchar();
    printf("outside: stdin: %s\n", ch == EOF && feof(stdin) ? "end of file" : "a character");
    failed += ch != EOF;
    return failed;
}

static int by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int check_strings(void)
{
    char buf[32];
    strcpy(buf, "out");
    strcat(buf, "side");
    char *copy = strdup(buf);
    if (copy == NULL) {
        printf("outside: FAIL strdup\n");
        return 1;
    }
    printf("outside: string %s len=%zu strdup=%s strcmp=%d strncmp=%d strchr=%s strrchr=%s "
           "strstr=%s\n",
           buf, strlen(buf), copy, strcmp(copy, "outsider") < 0 ? -1 : 1,
           strncmp(copy, "outsider", 7), strchr(copy, 't'), strrchr(copy, 'd'), strstr(copy, "si"));
    free(copy);

    char list[] = "alpha,beta;;gamma delta,";
    printf("outside: strtok");
    for (char *tok = strtok(list, ",; "); tok != NULL; tok = strtok(NULL, ",; "))
        printf(" [%s]", tok);
    printf("\n");

    char area[] = "0123456789";
    memmove(area + 2, area, 5); /* overlapping */
    memset(area, '-', 2);
    printf("outside: memmove+memset %s memcmp=%d\n", area,
           memcmp(area, "--01234789", 10) == 0 ? 0 : 1);
    return 0;
}

int check_stdlib(void)
{
    int failed = 0;
    int numbers[] = {42, -7, 19, 0, 1000, 3, -7, 88, 5, 64};
    qsort(numbers, COUNT(numbers), sizeof numbers[0], by_int);
    printf("outside: qsort ints:");
    for (size_t i = 0; i < COUNT(numbers); i++)
        printf(" %d", numbers[i]);
    printf("\n");
    int key = 64;
    int *found = bsearch(&key, numbers, COUNT(numbers), sizeof numbers[0], by_int);
    printf("outside: bsearch 64: index %td\n", found ? found - numbers : (ptrdiff_t)-1);

    const char *fruit[] = {"pear", "apple", "fig", "banana", "cherry"};
    qsort(fruit, COUNT(fruit), sizeof fruit[0], by_string);
    printf("outside: qsort strings:");
    for (size_t i = 0; i < COUNT(fruit); i++)
        printf(" %s", fruit[i]);
    printf("\n");

    static const char *const ints[] = {"0x1f", "-0755", "123abc", "  +9"};
    printf("outside: strtol base 0:");
    for (size_t i = 0; i < COUNT(ints); i++) {
        char *end;
        long v = strtol(ints[i], &end, 0);
        printf(" %ld/%td", v, end - ints[i]);
    }
    printf("\n");
    div_t d = div(17, 5);
    printf("outside: atoi=%d abs=%d labs=%ld div=%d,%d\n", atoi("  -17"), abs(-5), labs(-6L),
           d.quot, d.rem);

    /* musl's rand is a fixed generator: the same seed, the same numbers. */
    srand(42);
    printf("outside: rand after srand(42):");
    for (int i = 0; i < 5; i++)
        printf(" %d", rand());
    printf("\n");

    const char *greeting = getenv("OUTSIDE_GREETING");
    printf("outside: getenv OUTSIDE_GREETING=%s%s%s\n", greeting ? "[" : "",
           greeting ? greeting : "(not set)", greeting ? "]" : "");
    printf("outside: getenv OUTSIDE_UNSET=%s\n", getenv("OUTSIDE_UNSET") ? "set" : "(not set)");
    if (setenv("OUTSIDE_SET", "by setenv", 1) != 0) {
        printf("outside: FAIL setenv: %s\n", strerror(errno));
        return failed + 1;
    }
    const char *set = getenv("OUTSIDE_SET");
    printf("outside: setenv then getenv OUTSIDE_SET=[%s]\n", set ? set : "(not set)");
    failed += set == NULL;

    /* 16 random bytes are all zero once in 2^128 runs. */
    unsigned char bytes[16] = {0};
    int rc = getentropy(bytes, sizeof bytes);
    unsigned any = 0;
    for (size_t i = 0; i < sizeof bytes; i++)
        any |= bytes[i];
    printf("outside: getentropy(16) = %d, %s\n", rc, any ? "bytes set" : "all zero");
    return failed + (rc != 0 || !any);
}

int check_ctype(void)
{
    const char *text = "Hello, World 42!";
    int alpha = 0, digit = 0, space = 0, punct = 0, upper = 0;
    char up[32], low[32];
    size_t i;
    for (i = 0; text[i] && i < sizeof up - 1; i++) {
        unsigned char c = (unsigned char)text[i];
        alpha += isalpha(c) != 0;
        digit += isdigit(c) != 0;
        space += isspace(c) != 0;
        punct += ispunct(c) != 0;
        upper += isupper(c) != 0;
        up[i] = (char)toupper(c);
        low[i] = (char)tolower(c);
    }
    up[i] = low[i] = '\0';
    printf("outside: ctype alpha=%d digit=%d space=%d punct=%d upper=%d xdigit(f)=%d [%s] [%s]\n",
           alpha, digit, space, punct, upper, isxdigit('f') != 0, up, low);
    return 0;
}

static void *never_runs(void *arg)
{
    return arg;
}

int check_errors(void)
{
    int failed = 0;
    errno = 0;
    int fd = open("/no/such/file", O_RDONLY);
    int err = errno;
    printf("outside: open(\"/no/such/file\") = %d: %s %s\n", fd, errno_name(err), strerror(err));
    failed += fd != -1;
    errno = 0;
    FILE *f = fopen("/etc/hostname", "r");
    err = errno;
    printf("outside: fopen(\"/etc/hostname\") = %s: %s %s\n", f ? "a file" : "NULL",
           errno_name(err), strerror(err));
    if (f)
        fclose(f);

    errno = 0;
    long big = strtol("99999999999999999999", NULL, 10);
    err = errno;
    printf("outside: strtol(\"99999999999999999999\") = %ld: %s %s\n", big, errno_name(err),
           strerror(err));

    /* No processes and no threads (docs/apps.md, "Limits"). */
    errno = 0;
    pid_t pid = fork();
    err = errno;
    printf("outside: fork() = %d: %s %s\n", (int)pid, errno_name(err), strerror(err));
    failed += pid == 0; /* a child would run on here */
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, never_runs, NULL);
    printf("outside: pthread_create = %s %s\n", errno_name(rc), strerror(rc));
    return failed;
}

int check_limits(void)
{
    printf("outside: limits INT_MAX=%d INT_MIN=%d LONG_MAX=%ld CHAR_BIT=%d\n", INT_MAX, INT_MIN,
           LONG_MAX, CHAR_BIT);
    printf("outside: inttypes UINT64_MAX=%" PRIu64 " INT64_MIN=%" PRId64 " 0x%" PRIx64
           " SIZE_MAX=%zu\n",
           UINT64_MAX, INT64_MIN, (uint64_t)0xdeadbeefcafeULL, SIZE_MAX);
    printf("outside: sizeof char=%zu short=%zu int=%zu long=%zu pointer=%zu\n", sizeof(char),
           sizeof(short), sizeof(int), sizeof(long), sizeof(void *));
    assert(strlen("outside") == 7 && INT_MAX > 0);
    printf("outside: assert passed\n");
    return 0;
}
