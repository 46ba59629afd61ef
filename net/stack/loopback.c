/* Looped-back frames delivered from the event loop (net/stack/loopback.h). */
#include "net/stack/loopback.h"

#include "core/event.h"
#include "lwip/netif.h"
#include "net/stack/timers.h"

static void deliver(struct work *w)
{
    (void)w;
    /* netif_poll hands every queued frame to ip_input, including those the
     * answers to earlier ones queue meanwhile, until the queue is empty. */
    netif_poll_all();
    stack_timers_update(); /* the input may have added timeouts (and kicks again if needed) */
}

static struct work work = WORK_INIT(deliver);

void stack_loopback_kick(void)
{
    struct netif *netif;
    NETIF_FOREACH(netif)
    {
        if (netif->loop_first != NULL) {
            work_queue(&work);
            return;
        }
    }
}
