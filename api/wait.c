/* anyvm/wait.h on the event loop's one wait (core/event.h) and its clock
 * (core/time.h). */
#include <anyvm/wait.h>

#include "core/event.h"
#include "core/time.h"

uint64_t anyvm_now_ns(void)
{
    return time_now_ns();
}

/* wait_until runs a pass of the loop before it first looks at done, as the
 * header promises. */
bool anyvm_wait_until(bool (*done)(void *ctx), void *ctx, uint64_t deadline_ns)
{
    return wait_until(done, ctx, deadline_ns);
}
