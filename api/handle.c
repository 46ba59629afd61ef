/* The handle lists of api/handle.h: short (one entry per device the app
 * was given), so a walk is all a lookup needs. */
#include "api/handle.h"

#include <stdlib.h>

struct api_handle *api_handle_of(struct api_handles *hs, void *obj, size_t size)
{
    if (obj == NULL) /* a removed object's handle has obj NULL: never match it */
        return NULL;
    struct api_handle **p = &hs->first;
    for (; *p; p = &(*p)->next)
        if ((*p)->obj == obj)
            return *p;
    struct api_handle *h = calloc(1, size);
    if (h == NULL)
        return NULL;
    h->obj = obj;
    *p = h;
    return h;
}

void api_handle_forget(struct api_handles *hs, const void *obj)
{
    for (struct api_handle *h = hs->first; h; h = h->next)
        if (h->obj == obj)
            h->obj = NULL;
}
