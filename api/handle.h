/* Handles apps hold on kernel objects that may go away at run time (a disk,
 * a network device: anyvm/blk.h, anyvm/net.h). A handle belongs to api/ and
 * is never freed, so the app's pointer stays valid whatever happens to the
 * object; when the object leaves its class, the handle's obj becomes NULL
 * and every call on it fails with ENODEV, so nothing reaches the object's
 * freed memory. A handle is made the first time the app is given the
 * object, one per object; a removed object's handle stays behind (a few
 * dozen bytes per removal), and is never handed out for another object,
 * which would turn an app's stale handle into one on the wrong device. */
#ifndef API_HANDLE_H
#define API_HANDLE_H

#include <stddef.h>

struct api_handle {
    void *obj; /* the class's object; NULL once it is gone */
    struct api_handle *next;
};

struct api_handles {
    struct api_handle *first;
};

/* The handle of obj (not NULL), made on first use: size bytes (a
 * structure that starts with struct api_handle), zeroed. NULL when out of
 * memory. */
struct api_handle *api_handle_of(struct api_handles *hs, void *obj, size_t size);
/* obj has left its class: its handle, if it has one, no longer reaches it. */
void api_handle_forget(struct api_handles *hs, const void *obj);

#endif
