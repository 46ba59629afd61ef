/* fault: exercises the kernel's failure paths for tests.
 *   (no argument) or `ud`  executes an invalid instruction (#UD)
 *   `pf`                   reads through a null pointer (#PF)
 *   `exit N`               returns N as the exit status
 *   `abort`                calls the C library's abort(): SIGABRT, status 134 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "ud";
    printf("fault: %s\n", what);
    if (strcmp(what, "ud") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(what, "pf") == 0) {
        volatile uintptr_t null_page_address = 8; /* opaque to the compiler */
        return *(volatile int *)null_page_address;
    } else if (strcmp(what, "exit") == 0 && argc > 2) {
        return atoi(argv[2]);
    } else if (strcmp(what, "abort") == 0) {
        abort();
    }
    printf("fault: unknown request '%s'\n", what);
    return 1;
}
