/* Floating point: printf's %f %e %g %a, strtod and sscanf's %lf, math.h,
 * float and long double. The only file of this app that computes in
 * floating point; --no-float never calls into it. The inputs are volatile
 * so that the compiler cannot work the results out itself: they are
 * computed here, by the CPU and musl. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outside.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static volatile double pi = 3.14159265358979323846;
static volatile double two = 2.0, ten = 10.0, three = 3.0, one = 1.0, tenth = 0.1;
static volatile long long int64_max = 9223372036854775807LL;

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int check_float_printf(void)
{
    printf("outside: printf %%.3f %%e %%g: %.3f %e %g\n", pi, 12345.6789 * one, 0.0001 * one);
    printf("outside: printf %%10.4f|%%-12.3e|%%+g|%%G|%%E: %10.4f|%-12.3e|%+g|%G|%E\n", -pi,
           6.02214076e23 * one, 1e-5 * one, 1e300 * ten, 0.5 * one);
    printf("outside: printf %%.17g of 0.1+0.2: %.17g\n", tenth + 0.2);
    printf("outside: printf %%a of 3: %a\n", three);
    printf("outside: printf inf/nan/denormal: %f %F %g %g\n", INFINITY * one, -INFINITY * one,
           NAN * one, 5e-324 * one);

    float third_f = (float)one / (float)three;
    long double third_l = (long double)one / three;
    printf("outside: float 1/3 %.9g, long double 1/3 %.18Lf (%zu bytes)\n", (double)third_f,
           third_l, sizeof(long double));

    double values[] = {3.5, -1.25, 2e3, 0.0, -7.75, 1e-3, 42.0};
    for (size_t i = 0; i < COUNT(values); i++)
        values[i] *= one;
    qsort(values, COUNT(values), sizeof values[0], by_double);
    printf("outside: qsort doubles:");
    for (size_t i = 0; i < COUNT(values); i++)
        printf(" %g", values[i]);
    printf("\n");
    return 0;
}

int check_float_parse(void)
{
    static const char *const texts[] = {
        "3.14159", "  -2.5e-3xyz", "0x1.8p1", "1e400", "-inf", "abc", ".5.", "1e-400",
    };
    for (size_t i = 0; i < COUNT(texts); i++) {
        char *end;
        errno = 0;
        double v = strtod(texts[i], &end);
        int err = errno;
        printf("outside: strtod \"%s\" = %.17g end=%td errno=%s\n", texts[i], v, end - texts[i],
               errno_name(err));
    }
    double ratio = 0, scale = 0;
    int n = sscanf("ratio=0.75 scale=-1.5e2", "ratio=%lf scale=%lf", &ratio, &scale);
    printf("outside: sscanf %d fields: ratio=%g scale=%g\n", n, ratio, scale);
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", pi);
    printf("outside: snprintf %%.2f \"%s\", atof back %g\n", buf, atof(buf));
    return 0;
}

int check_math(void)
{
    printf("outside: math sqrt(2)=%.17g sin(pi/6)=%.12g cos(pi)=%.12g pow(2,10)=%g "
           "pow(2,0.5)=%.12g\n",
           sqrt(two), sin(pi / 6), cos(pi), pow(two, ten), pow(two, 0.5 * one));
    printf("outside: math floor(-2.5)=%g ceil(-2.5)=%g fabs(-3)=%g fmod(10,3)=%g round(2.5)=%g "
           "rint(2.5)=%g trunc(-2.7)=%g\n",
           floor(-2.5 * one), ceil(-2.5 * one), fabs(-three), fmod(ten, three), round(2.5 * one),
           rint(2.5 * one), trunc(-2.7 * one));
    printf("outside: math exp(1)=%.12g log(10)=%.12g log10(1000)=%.12g atan2(1,1)*4=%.12g "
           "hypot(3,4)=%g\n",
           exp(one), log(ten), log10(1000 * one), atan2(one, one) * 4, hypot(three, 4 * one));
    printf("outside: conversions (long)-2.7=%ld lround(2.5)=%ld (double)INT64_MAX=%.17g\n",
           (long)(-2.7 * one), lround(2.5 * one), (double)int64_max);
    return 0;
}
