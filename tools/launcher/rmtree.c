/* rmtree: a depth-first walk that stays on the folder's own entries
 * (FTW_PHYS: a link to elsewhere is removed as a link). */
#define _XOPEN_SOURCE 700
#include "tools/launcher/rmtree.h"

#include <ftw.h>
#include <stdio.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

int rmtree(const char *path)
{
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
