/* The registered models and back ends: see registry.h. */
#include <string.h>

#include "hostsim/registry.h"

/* Weak, so that a program in which nothing registers (a unit test) links and
 * sees two null pointers: an empty range. */
extern const struct hostsim_model *const __start_hostsim_models[] __attribute__((weak));
extern const struct hostsim_model *const __stop_hostsim_models[] __attribute__((weak));
extern const struct hostsim_backend *const __start_hostsim_backends[] __attribute__((weak));
extern const struct hostsim_backend *const __stop_hostsim_backends[] __attribute__((weak));

const struct hostsim_model *const *hostsim_models_begin(void)
{
    return __start_hostsim_models;
}

const struct hostsim_model *const *hostsim_models_end(void)
{
    return __stop_hostsim_models;
}

const struct hostsim_backend *const *hostsim_backends_begin(void)
{
    return __start_hostsim_backends;
}

const struct hostsim_backend *const *hostsim_backends_end(void)
{
    return __stop_hostsim_backends;
}

const struct hostsim_model *hostsim_model_find(const char *name)
{
    for (const struct hostsim_model *const *m = hostsim_models_begin(); m < hostsim_models_end();
         m++) {
        if (strcmp((*m)->name, name) == 0)
            return *m;
    }
    return NULL;
}

const struct hostsim_misbehave *hostsim_misbehave_find(const char *name)
{
    for (const struct hostsim_backend *const *b = hostsim_backends_begin();
         b < hostsim_backends_end(); b++) {
        for (const struct hostsim_misbehave *k = (*b)->misbehave; k != NULL && k->name != NULL;
             k++) {
            if (strcmp(k->name, name) == 0)
                return k;
        }
    }
    return NULL;
}

static void append(char *buf, size_t len, size_t *used, const char *name)
{
    if (*used >= len)
        return;
    int n = snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", name);
    if (n > 0)
        *used += (size_t)n;
}

void hostsim_model_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (const struct hostsim_model *const *m = hostsim_models_begin(); m < hostsim_models_end();
         m++)
        append(buf, len, &used, (*m)->name);
}

void hostsim_misbehave_names(char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (const struct hostsim_backend *const *b = hostsim_backends_begin();
         b < hostsim_backends_end(); b++) {
        for (const struct hostsim_misbehave *k = (*b)->misbehave; k != NULL && k->name != NULL; k++)
            append(buf, len, &used, k->name);
    }
}

void hostsim_misbehave_print(FILE *f)
{
    for (const struct hostsim_backend *const *b = hostsim_backends_begin();
         b < hostsim_backends_end(); b++) {
        for (const struct hostsim_misbehave *k = (*b)->misbehave; k != NULL && k->name != NULL; k++)
            fprintf(f, "%-20s %-12s %s\n", k->name, k->backend, k->about);
    }
}
