/* Delivering what TCP still holds at exit (net/stack/drain.h). */
#include "net/stack/drain.h"

#include "core/event.h"
#include "core/log.h"
#include "core/time.h"
#include "lwip/priv/tcp_priv.h"
#include "net/stack/timers.h"

/* A wait between two looks: lwIP sends again a segment a full device
 * refused (it stays unsent, lwIP 2.1.3 tcp_output) only when something
 * calls tcp_output, so each look pushes what is unsent. */
#define LOOK_NS 50000000ull

static unsigned holding(void)
{
    unsigned n = 0;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next)
        if (pcb->unsent != NULL || pcb->unacked != NULL)
            n++;
    return n;
}

static bool drained(void *ctx)
{
    (void)ctx;
    return holding() == 0;
}

unsigned stack_drain(uint64_t limit_ns)
{
    uint64_t end = time_now_ns() + limit_ns;
    while (holding() != 0 && time_now_ns() < end) {
        for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next)
            if (pcb->unsent != NULL)
                tcp_output(pcb);
        stack_timers_update();
        uint64_t now = time_now_ns();
        wait_until(drained, NULL, end - now < LOOK_NS ? end : now + LOOK_NS);
    }
    unsigned left = holding();
    if (left != 0)
        kprintf("net: %u TCP connection%s still had data to deliver at exit\n", left,
                left == 1 ? "" : "s");
    return left;
}
