/*
 * loadgen.c - single-threaded epoll load generator for echo servers.
 *
 * Each of C connections plays ping-pong: send one SIZE-byte message, wait
 * until the whole echo is back, check every byte, record the round-trip
 * time, send the next.  Message contents are a pseudo-random stream seeded
 * by (connection, sequence number), so a server that mixes up connections,
 * replays an old message, drops or duplicates bytes is caught.
 *
 * Usage: loadgen --port N [--host 127.0.0.1] [--connections 1] [--size 64]
 *                [--seconds 2] [--warmup 0]
 *
 * All connections are established before the clock starts.  The first
 * --warmup seconds are run but not counted; then messages completed during
 * the next --seconds are counted and their latencies recorded.
 *
 * Output (one JSON object on stdout):
 *   {"connections","size","seconds","messages","msgs_per_sec","p50_us",
 *    "p99_us","errors"}
 * Exit status is non-zero if any error happened (corrupt echo, connection
 * reset or closed early) or if no message completed.
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include <signal.h>
#include <unistd.h>

#include "common.h"

#define MAX_EVENTS 1024
#define RECV_BUF_SIZE (256u * 1024)
#define CONNECT_TIMEOUT_NS (10ull * 1000000000u)
/* Only the first few errors are described on stderr; all are counted. */
#define MAX_ERROR_REPORTS 10

/* ---- latency histogram ------------------------------------------------
 * Log-linear buckets (like HdrHistogram): values below 2^SUB_BITS ns are
 * exact, above that every power of two is split into 2^SUB_BITS buckets,
 * so the relative error is below 1/64 over the whole 64-bit range in a
 * fixed ~30 KiB table, however long the run. */
#define SUB_BITS 6
#define SUB (1u << SUB_BITS)
#define NBUCKETS ((64 - SUB_BITS + 1) * SUB)

static uint64_t hist[NBUCKETS];
static uint64_t hist_count;

static unsigned bucket_of(uint64_t v)
{
    if (v < SUB)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - SUB_BITS;
    /* (v >> shift) is in [SUB, 2*SUB): the top bit selects the octave. */
    return (shift + 1) * SUB + (unsigned)((v >> shift) - SUB);
}

static void hist_add(uint64_t v)
{
    hist[bucket_of(v)]++;
    hist_count++;
}

/* Value (ns) at quantile q, reported as the middle of its bucket. */
static double hist_quantile(double q)
{
    if (hist_count == 0)
        return 0;
    /* rank = ceil(q * count), at least 1, without needing libm */
    double exact = q * (double)hist_count;
    uint64_t rank = (uint64_t)exact;
    if ((double)rank < exact || rank == 0)
        rank++;
    uint64_t seen = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += hist[i];
        if (seen >= rank) {
            if (i < SUB)
                return i;
            unsigned shift = i / SUB - 1;
            uint64_t lo = (uint64_t)(i % SUB + SUB) << shift;
            uint64_t width = 1ull << shift;
            return (double)lo + (double)(width - 1) / 2;
        }
    }
    return 0; /* unreachable */
}

/* ---- connections ------------------------------------------------------ */

struct conn {
    int fd;
    uint32_t id;
    uint64_t seq;         /* sequence number of the message in flight */
    size_t sent;          /* bytes of it written so far */
    size_t received;      /* bytes of its echo read so far */
    uint64_t t_start;     /* when its first byte was handed to the kernel */
    bool out_armed;       /* EPOLLOUT in the interest set */
    bool corrupt;         /* a byte of the current echo did not match */
    bool dead;
    unsigned char *msg;   /* the message in flight, kept for verification */
};

static struct conn *conns;
static long nconns;
static size_t msg_size;
static int epfd;
static unsigned char recv_buf[RECV_BUF_SIZE];
static uint64_t errors;
static long live_conns;

static void report_error(struct conn *c, const char *what)
{
    if (++errors <= MAX_ERROR_REPORTS)
        fprintf(stderr, "loadgen: connection %u, message %llu: %s\n", c->id,
                (unsigned long long)c->seq, what);
}

static void conn_kill(struct conn *c, const char *why)
{
    report_error(c, why);
    close(c->fd);
    c->dead = true;
    live_conns--;
}

/* splitmix64: turns (connection, sequence) into a well-mixed seed, and
 * then serves as the byte stream itself.  Eight bytes per step keeps the
 * generator far cheaper than the syscalls it feeds. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fill_message(unsigned char *p, size_t n, uint32_t conn_id, uint64_t seq)
{
    uint64_t state = ((uint64_t)conn_id << 40) ^ seq;
    state = splitmix64(&state); /* decorrelate neighbouring (id, seq) pairs */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t r = splitmix64(&state);
        memcpy(p + i, &r, 8);
    }
    if (i < n) {
        uint64_t r = splitmix64(&state);
        memcpy(p + i, &r, n - i);
    }
}

static void set_out_interest(struct conn *c, bool want)
{
    if (c->out_armed == want)
        return;
    struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = c->id };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl MOD");
    c->out_armed = want;
}

/* Push as much of the current message as the socket takes; if some is
 * left, wait for EPOLLOUT.  False if the connection died. */
static bool conn_send_more(struct conn *c)
{
    while (c->sent < msg_size) {
        ssize_t w = send(c->fd, c->msg + c->sent, msg_size - c->sent, MSG_NOSIGNAL);
        if (w >= 0) {
            c->sent += (size_t)w;
        } else if (would_block()) {
            set_out_interest(c, true);
            return true;
        } else if (errno != EINTR) {
            conn_kill(c, strerror(errno));
            return false;
        }
    }
    set_out_interest(c, false);
    return true;
}

static bool conn_start_message(struct conn *c, uint64_t now)
{
    c->seq++;
    c->sent = 0;
    c->received = 0;
    c->corrupt = false;
    fill_message(c->msg, msg_size, c->id, c->seq);
    c->t_start = now;
    return conn_send_more(c);
}

/* Read echo bytes (never more than the current message still owes, so
 * message boundaries stay exact).  Returns true when the echo is complete. */
static bool conn_receive(struct conn *c)
{
    while (c->received < msg_size) {
        size_t want = msg_size - c->received;
        if (want > sizeof recv_buf)
            want = sizeof recv_buf;
        ssize_t n = recv(c->fd, recv_buf, want, 0);
        if (n > 0) {
            /* Verify every byte against what was sent at this offset. */
            if (memcmp(recv_buf, c->msg + c->received, (size_t)n) != 0)
                c->corrupt = true;
            c->received += (size_t)n;
        } else if (n == 0) {
            conn_kill(c, "server closed the connection");
            return false;
        } else if (would_block()) {
            return false;
        } else if (errno != EINTR) {
            conn_kill(c, strerror(errno));
            return false;
        }
    }
    return true;
}

/* Open every connection (non-blocking connect, all in parallel) and wait
 * until all are established, so the measured phase starts with full load. */
static void connect_all(const struct sockaddr_storage *addr, socklen_t addrlen)
{
    long pending = 0;
    for (long i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        c->id = (uint32_t)i;
        c->msg = malloc(msg_size);
        if (!c->msg)
            die("malloc");
        c->fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
            die("socket");
        int one = 1;
        /* Each message must leave as soon as it is written. */
        if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
            die("setsockopt TCP_NODELAY");
        if (connect(c->fd, (const struct sockaddr *)addr, addrlen) < 0 && errno != EINPROGRESS)
            die("connect");
        /* Connection completion is reported as writability. */
        struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = c->id };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
            die("epoll_ctl ADD");
        pending++;
    }

    uint64_t deadline = now_ns() + CONNECT_TIMEOUT_NS;
    struct epoll_event evs[MAX_EVENTS];
    while (pending > 0) {
        uint64_t now = now_ns();
        if (now >= deadline)
            fail(1, "%ld of %ld connections still not established after 10 s", pending, nconns);
        int n = wait_events(epfd, evs, MAX_EVENTS, (int)((deadline - now) / 1000000 + 1));
        for (int i = 0; i < n; i++) {
            struct conn *c = &conns[evs[i].data.u32];
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                die("getsockopt SO_ERROR");
            if (err)
                fail(1, "connect: %s", strerror(err));
            /* Established: from now on we mostly wait for echoes. */
            struct epoll_event ev = { .events = EPOLLIN, .data.u32 = c->id };
            if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
                die("epoll_ctl MOD");
            pending--;
        }
    }
    live_conns = nconns;
}

int main(int argc, char **argv)
{
    prog_name = "loadgen";
    prog_usage = "--port N [--host 127.0.0.1|::1] [--connections C]\n"
                 "               [--size BYTES] [--seconds S] [--warmup S]";
    const char *host = "127.0.0.1";
    long port = -1;
    double seconds = 2, warmup = 0;
    nconns = 1;
    msg_size = 64;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = option_value(argc, argv, &i);
        if (strcmp(a, "--host") == 0)
            host = v;
        else if (strcmp(a, "--port") == 0)
            port = parse_long(a, v, 1, 65535);
        else if (strcmp(a, "--connections") == 0)
            nconns = parse_long(a, v, 1, 100000);
        else if (strcmp(a, "--size") == 0)
            msg_size = (size_t)parse_long(a, v, 1, 64L << 20);
        else if (strcmp(a, "--seconds") == 0)
            seconds = parse_double(a, v, 0.001, 3600);
        else if (strcmp(a, "--warmup") == 0)
            warmup = parse_double(a, v, 0, 3600);
        else
            usage();
    }
    if (port < 0)
        usage();

    struct sockaddr_storage addr;
    socklen_t addrlen = parse_loopback(host, &addr, (int)port);
    signal(SIGPIPE, SIG_IGN); /* MSG_NOSIGNAL already; belt and braces */

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    conns = calloc((size_t)nconns, sizeof *conns);
    if (!conns)
        die("calloc");
    connect_all(&addr, addrlen);

    uint64_t t0 = now_ns();
    uint64_t measure_start = t0 + (uint64_t)(warmup * 1e9);
    uint64_t measure_end = measure_start + (uint64_t)(seconds * 1e9);
    uint64_t messages = 0;

    for (long i = 0; i < nconns; i++)
        conn_start_message(&conns[i], now_ns());

    struct epoll_event evs[MAX_EVENTS];
    uint64_t now = now_ns();
    while (now < measure_end && live_conns > 0) {
        int timeout_ms = (int)((measure_end - now + 999999) / 1000000);
        int n = wait_events(epfd, evs, MAX_EVENTS, timeout_ms);
        for (int i = 0; i < n; i++) {
            struct conn *c = &conns[evs[i].data.u32];
            uint32_t e = evs[i].events;
            if (c->dead)
                continue;
            if ((e & EPOLLOUT) && !conn_send_more(c))
                continue;
            /* EPOLLERR/EPOLLHUP: let recv() report what happened. */
            if (!(e & (EPOLLIN | EPOLLERR | EPOLLHUP)) || !conn_receive(c))
                continue;

            /* Echo complete. */
            uint64_t t = now_ns();
            if (c->corrupt)
                report_error(c, "echoed bytes differ from the bytes sent");
            else if (t >= measure_start && t < measure_end) {
                hist_add(t - c->t_start);
                messages++;
            }
            conn_start_message(c, t);
        }
        now = now_ns();
    }

    /* If every connection died early, rate over the time actually run. */
    double measured = seconds;
    if (now < measure_end)
        measured = now > measure_start ? (double)(now - measure_start) / 1e9 : 0;

    printf("{\"connections\": %ld, \"size\": %zu, \"seconds\": %.3f, \"messages\": %llu, "
           "\"msgs_per_sec\": %.1f, \"p50_us\": %.2f, \"p99_us\": %.2f, \"errors\": %llu}\n",
           nconns, msg_size, measured, (unsigned long long)messages,
           measured > 0 ? (double)messages / measured : 0.0, hist_quantile(0.50) / 1e3,
           hist_quantile(0.99) / 1e3, (unsigned long long)errors);
    fflush(stdout);

    if (messages == 0)
        fprintf(stderr, "loadgen: no message completed in the measured window\n");
    return (errors > 0 || messages == 0) ? 1 : 0;
}
