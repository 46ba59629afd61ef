/* hello: the smallest anyvm application. Prints a greeting and each of its
 * arguments (what follows `--` on the kernel command line) on its own line. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello, world!\n");
    for (int i = 1; i < argc; i++)
        printf("%s\n", argv[i]);
    return 0;
}
