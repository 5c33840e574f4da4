/*
 * dispatch_floor.c - the C floor for dispatching ready fds from epoll.
 *
 * N eventfds are made permanently readable (written once, never read) and
 * registered level-triggered, so every epoll_wait(timeout 0) returns all of
 * them (up to maxevents) without ever sleeping.  For each returned event we
 * call a trivial handler through a function pointer, which is the least
 * work any event loop must do per event: "look up who owns this fd and call
 * it".  What is left is the raw cost of the kernel filling the event array
 * plus the indirect call: the per-event budget a binding is compared to.
 *
 * Usage: dispatch_floor [--fds 1000] [--seconds 1]
 *   --fds 1 gives the single-fd rate (one syscall per event).
 *
 * Output: {"fds","events","seconds","ns_per_event","events_per_sec",
 *          "calls","events_per_call"}
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>

#include "common.h"

#define MAX_EVENTS 1024

static uint64_t *counters;

/* The per-event "callback".  noinline plus a call through a volatile
 * function pointer stops the compiler from folding the loop away or
 * inlining the work, just as a real dispatcher cannot. */
__attribute__((noinline)) static void on_ready(uint32_t idx)
{
    counters[idx]++;
}
static void (*volatile handler)(uint32_t) = on_ready;

int main(int argc, char **argv)
{
    prog_name = "dispatch_floor";
    prog_usage = "[--fds N] [--seconds S]";
    long nfds = 1000;
    double seconds = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = option_value(argc, argv, &i);
        if (strcmp(a, "--fds") == 0) {
            if (!to_long(v, &nfds) || nfds < 1 || nfds > 100000)
                fail(2, "--fds must be 1..100000");
        } else if (strcmp(a, "--seconds") == 0) {
            /* Open at 0, which parse_double's closed range cannot say. */
            if (!to_double(v, &seconds) || !(seconds > 0 && seconds <= 600))
                fail(2, "--seconds must be in (0, 600]");
        } else {
            usage();
        }
    }

    counters = calloc((size_t)nfds, sizeof *counters);
    if (!counters)
        die("calloc");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    for (long i = 0; i < nfds; i++) {
        int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* initial count 1: readable forever */
        if (fd < 0)
            die(errno == EMFILE ? "eventfd (raise ulimit -n or lower --fds)" : "eventfd");
        /* Level-triggered: the fd stays on the ready list after each report. */
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
            die("epoll_ctl");
    }

    static struct epoll_event evs[MAX_EVENTS];
    uint64_t events = 0, calls = 0;
    uint64_t start = now_ns();
    uint64_t deadline = start + (uint64_t)(seconds * 1e9);
    uint64_t end = start;
    unsigned since_check = 0;
    for (;;) {
        int n = wait_events(ep, evs, MAX_EVENTS, 0);
        void (*h)(uint32_t) = handler;
        for (int i = 0; i < n; i++)
            h(evs[i].data.u32);
        events += (uint64_t)n;
        calls++;
        /* Read the clock about every thousand events' worth of work, so
         * timing costs nothing noticeable even with --fds 1. */
        since_check += (unsigned)n + 16;
        if (since_check >= 1024) {
            since_check = 0;
            end = now_ns();
            if (end >= deadline)
                break;
        }
    }

    /* Sanity: every event reached the handler, and (level-triggered, all
     * ready) epoll served the fds round-robin, never starving one. */
    uint64_t total = 0, lo = UINT64_MAX, hi = 0;
    for (long i = 0; i < nfds; i++) {
        total += counters[i];
        if (counters[i] < lo)
            lo = counters[i];
        if (counters[i] > hi)
            hi = counters[i];
    }
    if (total != events)
        fail(1, "handler saw %llu events, epoll returned %llu", (unsigned long long)total,
             (unsigned long long)events);
    if (lo == 0)
        fail(1, "some fd was never reported (min %llu, max %llu)", (unsigned long long)lo,
             (unsigned long long)hi);

    double elapsed = (double)(end - start) / 1e9;
    printf("{\"fds\": %ld, \"events\": %llu, \"seconds\": %.3f, \"ns_per_event\": %.2f, "
           "\"events_per_sec\": %.0f, \"calls\": %llu, \"events_per_call\": %.1f}\n",
           nfds, (unsigned long long)events, elapsed, elapsed * 1e9 / (double)events,
           (double)events / elapsed, (unsigned long long)calls, (double)events / (double)calls);
    return 0;
}
