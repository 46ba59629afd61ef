/* Removing the run's scratch folder and everything in it. */
#ifndef LAUNCHER_RMTREE_H
#define LAUNCHER_RMTREE_H

/* Removes path and what it holds; links are removed, never followed. 0 or -1. */
int rmtree(const char *path);

#endif
