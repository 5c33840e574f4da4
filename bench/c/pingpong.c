/*
 * pingpong.c - the C floor for cross-thread wake-up latency through epoll.
 *
 * Two threads, two eventfds, one epoll instance per thread:
 *
 *   A: write(efd_ab) ............................ epoll_wait(ep_a); read(efd_ba)
 *   B:        epoll_wait(ep_b); read(efd_ab); write(efd_ba)
 *
 * Both threads block in epoll_wait, so every hop is a real sleep and
 * wake-up - the same thing a Node event loop thread pays when another
 * thread (or the kernel) makes one of its fds ready.
 *
 * Modes:
 *   --mode roundtrip (default)  A times write(efd_ab) -> read(efd_ba) back;
 *                               "one-way" figures are half the round trip.
 *   --mode oneway               A stores a CLOCK_MONOTONIC timestamp in shared
 *                               memory just before write(efd_ab); B takes its
 *                               own timestamp as soon as epoll_wait returns.
 *                               The difference is the true one-way wake-up
 *                               (CLOCK_MONOTONIC is consistent across CPUs).
 *                               B still answers, so iterations never overlap,
 *                               and A's round trip is reported too.
 *
 * Usage: pingpong [--mode roundtrip|oneway] [--iterations 20000]
 *                 [--warmup 1000] [--pin]
 *
 * Output: {"mode","iterations","p50_us","p99_us","mean_us",
 *          "roundtrip_p50_us","roundtrip_p99_us","roundtrip_mean_us"}
 * where p50/p99/mean are one-way figures.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"

/* A lost wake-up must not hang the benchmark forever. */
#define WAIT_TIMEOUT_MS 5000

static int efd_ab, efd_ba;      /* A -> B and B -> A */
static int ep_a, ep_b;
static bool oneway;
static bool pin;
static long iterations, warmup;

/* Written by A right before it signals B; B reads it after waking.  The
 * eventfd write/read pair already orders memory, the atomic just makes the
 * sharing explicit and well-defined in C11. */
static _Atomic uint64_t t_signal;

static uint64_t *rt_samples;    /* round trips, measured by A */
static uint64_t *ow_samples;    /* one-way wake-ups, measured by B (oneway mode) */

static void pin_self(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (err) {
        errno = err;
        die("pthread_setaffinity_np");
    }
}

/* Block until ep reports its single eventfd readable. */
static void wait_ready(int ep)
{
    struct epoll_event ev;
    for (;;) {
        int n = epoll_wait(ep, &ev, 1, WAIT_TIMEOUT_MS);
        if (n == 1)
            return;
        if (n == 0)
            fail(1, "no wake-up within %d ms", WAIT_TIMEOUT_MS);
        if (errno != EINTR)
            die("epoll_wait");
    }
}

static void signal_fd(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) != sizeof one)
        die("eventfd write");
}

static void drain_fd(int fd)
{
    uint64_t v;
    if (read(fd, &v, sizeof v) != sizeof v)
        die("eventfd read");
}

static void *thread_b(void *arg)
{
    (void)arg;
    if (pin)
        pin_self(1);
    for (long i = 0; i < warmup + iterations; i++) {
        wait_ready(ep_b);
        /* Timestamp before anything else: we measure the wake-up itself. */
        uint64_t t = now_ns();
        if (oneway && i >= warmup)
            ow_samples[i - warmup] = t - atomic_load_explicit(&t_signal, memory_order_acquire);
        drain_fd(efd_ab);
        signal_fd(efd_ba);
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

struct stats {
    double p50, p99, mean; /* ns */
};

/* Exact percentiles: the sample count is bounded, so just sort. */
static struct stats summarize(uint64_t *s, long n)
{
    qsort(s, (size_t)n, sizeof *s, cmp_u64);
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += (double)s[i];
    /* nearest-rank: the smallest value with at least q*n samples <= it */
    long i50 = (n * 50 + 99) / 100 - 1, i99 = (n * 99 + 99) / 100 - 1;
    return (struct stats){ (double)s[i50], (double)s[i99], sum / (double)n };
}

static int make_epoll_for(int fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        die("epoll_ctl");
    return ep;
}

int main(int argc, char **argv)
{
    prog_name = "pingpong";
    prog_usage = "[--mode roundtrip|oneway] [--iterations N] [--warmup N] [--pin]";
    iterations = 20000;
    warmup = 1000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pin") == 0) {
            pin = true;
            continue;
        }
        const char *a = argv[i], *v = option_value(argc, argv, &i);
        if (strcmp(a, "--mode") == 0) {
            if (strcmp(v, "oneway") == 0)
                oneway = true;
            else if (strcmp(v, "roundtrip") != 0)
                usage();
        } else if (strcmp(a, "--iterations") == 0) {
            iterations = parse_long(a, v, 1, 5000000);
        } else if (strcmp(a, "--warmup") == 0) {
            warmup = parse_long(a, v, 0, 5000000);
        } else {
            usage();
        }
    }
    if (pin && sysconf(_SC_NPROCESSORS_ONLN) < 2)
        fail(2, "--pin needs at least 2 CPUs");

    rt_samples = malloc((size_t)iterations * sizeof *rt_samples);
    ow_samples = malloc((size_t)iterations * sizeof *ow_samples);
    if (!rt_samples || !ow_samples)
        die("malloc");
    /* Touch the arrays now so page faults do not land in the timed loop. */
    memset(rt_samples, 0, (size_t)iterations * sizeof *rt_samples);
    memset(ow_samples, 0, (size_t)iterations * sizeof *ow_samples);

    efd_ab = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    efd_ba = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd_ab < 0 || efd_ba < 0)
        die("eventfd");
    ep_a = make_epoll_for(efd_ba);
    ep_b = make_epoll_for(efd_ab);

    pthread_t tb;
    int err = pthread_create(&tb, NULL, thread_b, NULL);
    if (err) {
        errno = err;
        die("pthread_create");
    }
    if (pin)
        pin_self(0);

    for (long i = 0; i < warmup + iterations; i++) {
        uint64_t t0 = now_ns();
        atomic_store_explicit(&t_signal, t0, memory_order_release);
        signal_fd(efd_ab);
        wait_ready(ep_a);
        drain_fd(efd_ba);
        uint64_t t1 = now_ns();
        if (i >= warmup)
            rt_samples[i - warmup] = t1 - t0;
    }
    pthread_join(tb, NULL);

    struct stats rt = summarize(rt_samples, iterations);
    struct stats ow;
    if (oneway)
        ow = summarize(ow_samples, iterations);
    else
        ow = (struct stats){ rt.p50 / 2, rt.p99 / 2, rt.mean / 2 };

    printf("{\"mode\": \"%s\", \"iterations\": %ld, \"p50_us\": %.3f, \"p99_us\": %.3f, "
           "\"mean_us\": %.3f, \"roundtrip_p50_us\": %.3f, \"roundtrip_p99_us\": %.3f, "
           "\"roundtrip_mean_us\": %.3f}\n",
           oneway ? "oneway" : "roundtrip", iterations, ow.p50 / 1e3, ow.p99 / 1e3,
           ow.mean / 1e3, rt.p50 / 1e3, rt.p99 / 1e3, rt.mean / 1e3);
    return 0;
}
