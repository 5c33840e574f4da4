/*
 * scaling.c - cost of one wake-up as the number of idle fds grows,
 * for epoll, poll and select.
 *
 * N idle eventfds (never written, so never ready) plus one active eventfd.
 * Each iteration: write 1 to the active fd, wait with the chosen mechanism
 * over all N+1 fds, read the active fd back.  Everything happens on one
 * thread and the fd is ready before the wait starts, so no scheduler sleep
 * is involved: what grows with N is purely the mechanism's bookkeeping.
 *
 *   epoll:  fds registered once; epoll_wait only looks at the ready list,
 *           so the cost should be flat in N.
 *   poll:   the pollfd array is built once and reused (revents is output
 *           only, as any poll user does), but the kernel copies in and polls
 *           all N+1 entries every call: linear in N.
 *   select: fd_set is rebuilt every iteration (select overwrites it, a real
 *           select user must), then the kernel scans up to the highest fd:
 *           linear in N, and limited to fds below FD_SETSIZE.
 *
 * The active fd is created last so it has the highest number and comes
 * last in the poll array: every mechanism has to look past all idle fds.
 * For poll/select that is the worst case: until the kernel finds a ready fd
 * it also hooks each fd's wait queue (to be able to sleep), and unhooks
 * them all afterwards, so a ready fd early in the set is cheaper.
 *
 * Usage: scaling [--mechanism epoll|poll|select] [--idle N] [--iterations 20000]
 *                [--repeat 5] [--max-seconds 3]
 *   --max-seconds caps the total run time: if --iterations would take
 *   longer (poll/select with thousands of fds cost milliseconds each), the
 *   iteration count is lowered and the count actually used is reported.
 * Output: {"mechanism","idle","iterations","repeat","ns_per_wakeup",
 *          "min_ns","max_ns"}  (ns_per_wakeup is the median repetition)
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include "common.h"

#define MAX_IDLE 100000
/* A wait that does not return within this time means a lost wake-up. */
#define WAIT_TIMEOUT_MS 1000

enum mech { M_EPOLL, M_POLL, M_SELECT };
static const char *const mech_names[] = { "epoll", "poll", "select" };

static enum mech mech = M_EPOLL;
static long nidle = 0;
static int *idle_fds;
static int active_fd;
static int epfd = -1;
static struct pollfd *pfds;
static int maxfd;

static void setup(void)
{
    idle_fds = malloc((size_t)(nidle ? nidle : 1) * sizeof *idle_fds);
    if (!idle_fds)
        die("malloc");
    for (long i = 0; i < nidle; i++) {
        idle_fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (idle_fds[i] < 0)
            die(errno == EMFILE ? "eventfd (raise ulimit -n or lower --idle)" : "eventfd");
    }
    active_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (active_fd < 0)
        die("eventfd");
    maxfd = active_fd;
    for (long i = 0; i < nidle; i++)
        if (idle_fds[i] > maxfd)
            maxfd = idle_fds[i];

    switch (mech) {
    case M_EPOLL: {
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0)
            die("epoll_create1");
        struct epoll_event ev = { .events = EPOLLIN };
        for (long i = 0; i < nidle; i++) {
            ev.data.fd = idle_fds[i];
            if (epoll_ctl(epfd, EPOLL_CTL_ADD, idle_fds[i], &ev) < 0)
                die("epoll_ctl");
        }
        ev.data.fd = active_fd;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, active_fd, &ev) < 0)
            die("epoll_ctl");
        break;
    }
    case M_POLL:
        pfds = malloc((size_t)(nidle + 1) * sizeof *pfds);
        if (!pfds)
            die("malloc");
        for (long i = 0; i < nidle; i++)
            pfds[i] = (struct pollfd){ .fd = idle_fds[i], .events = POLLIN };
        pfds[nidle] = (struct pollfd){ .fd = active_fd, .events = POLLIN };
        break;
    case M_SELECT:
        /* FD_SET beyond FD_SETSIZE is a buffer overflow, not a slow path. */
        if (maxfd >= FD_SETSIZE)
            fail(2, "select cannot watch fd %d (FD_SETSIZE is %d); use a smaller --idle",
                 maxfd, FD_SETSIZE);
        break;
    }
}

/* Wait until the active fd is reported, and check that nothing else is. */
static void wait_active(void)
{
    int n = 0; /* every case assigns it; this silences -Wmaybe-uninitialized */
    switch (mech) {
    case M_EPOLL: {
        struct epoll_event ev[4];
        n = epoll_wait(epfd, ev, 4, WAIT_TIMEOUT_MS);
        if (n == 1 && ev[0].data.fd == active_fd)
            return;
        break;
    }
    case M_POLL:
        n = poll(pfds, (nfds_t)(nidle + 1), WAIT_TIMEOUT_MS);
        if (n == 1 && (pfds[nidle].revents & POLLIN))
            return;
        break;
    case M_SELECT: {
        fd_set rfds;
        FD_ZERO(&rfds);
        for (long i = 0; i < nidle; i++)
            FD_SET(idle_fds[i], &rfds);
        FD_SET(active_fd, &rfds);
        struct timeval tv = { .tv_sec = WAIT_TIMEOUT_MS / 1000, .tv_usec = 0 };
        n = select(maxfd + 1, &rfds, NULL, NULL, &tv);
        if (n == 1 && FD_ISSET(active_fd, &rfds))
            return;
        break;
    }
    }
    if (n < 0)
        die(mech_names[mech]);
    fail(1, "%s returned %d, expected exactly the active fd", mech_names[mech], n);
}

static void run(long iterations)
{
    uint64_t one = 1, v;
    for (long i = 0; i < iterations; i++) {
        if (write(active_fd, &one, sizeof one) != sizeof one)
            die("eventfd write");
        wait_active();
        if (read(active_fd, &v, sizeof v) != sizeof v)
            die("eventfd read");
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    prog_name = "scaling";
    prog_usage = "[--mechanism epoll|poll|select] [--idle N] "
                 "[--iterations N] [--repeat N] [--max-seconds S]";
    long iterations = 20000, repeat = 5;
    double max_seconds = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = option_value(argc, argv, &i);
        if (strcmp(a, "--mechanism") == 0) {
            if (strcmp(v, "epoll") == 0)
                mech = M_EPOLL;
            else if (strcmp(v, "poll") == 0)
                mech = M_POLL;
            else if (strcmp(v, "select") == 0)
                mech = M_SELECT;
            else
                usage();
        } else if (strcmp(a, "--idle") == 0) {
            nidle = parse_long(a, v, 0, MAX_IDLE);
        } else if (strcmp(a, "--iterations") == 0) {
            iterations = parse_long(a, v, 1, 100000000);
        } else if (strcmp(a, "--repeat") == 0) {
            repeat = parse_long(a, v, 1, 101);
        } else if (strcmp(a, "--max-seconds") == 0) {
            max_seconds = (double)parse_long(a, v, 1, 600);
        } else {
            usage();
        }
    }
    /* Fail before allocating anything if select obviously cannot do it:
     * stdin/out/err plus N idle plus the active fd must fit below FD_SETSIZE. */
    if (mech == M_SELECT && nidle + 4 > FD_SETSIZE)
        fail(2, "select supports at most about %d idle fds (FD_SETSIZE %d), got %ld",
             FD_SETSIZE - 4, FD_SETSIZE, nidle);

    setup();

    /* Estimate the cost of one iteration, then shrink the run if needed so
     * warm-up plus all repetitions fit in the time budget. */
    uint64_t t_cal = now_ns();
    run(20);
    double est_ns = (double)(now_ns() - t_cal) / 20;
    double affordable = max_seconds * 1e9 / (est_ns * ((double)repeat + 0.2));
    if ((double)iterations > affordable)
        iterations = affordable > 20 ? (long)affordable : 20;

    run(iterations / 10 + 10); /* warm caches and branch predictors */

    double per[101];
    for (long r = 0; r < repeat; r++) {
        uint64_t t0 = now_ns();
        run(iterations);
        per[r] = (double)(now_ns() - t0) / (double)iterations;
    }
    qsort(per, (size_t)repeat, sizeof per[0], cmp_double);

    printf("{\"mechanism\": \"%s\", \"idle\": %ld, \"iterations\": %ld, \"repeat\": %ld, "
           "\"ns_per_wakeup\": %.1f, \"min_ns\": %.1f, \"max_ns\": %.1f}\n",
           mech_names[mech], nidle, iterations, repeat, per[repeat / 2], per[0], per[repeat - 1]);
    return 0;
}
