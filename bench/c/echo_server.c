/*
 * echo_server.c - edge-triggered epoll TCP echo server (C reference).
 *
 * This is the baseline the Node.js echo server built on linux-epoll is
 * compared against, so it is written the way an experienced C programmer
 * writes one, without shortcuts that would flatter or handicap it:
 *
 *   - listening socket non-blocking, EPOLLIN|EPOLLET, accept4() until EAGAIN;
 *   - each connection EPOLLIN|EPOLLRDHUP|EPOLLET, read until EAGAIN, echo
 *     immediately, and park whatever the kernel would not take in a
 *     per-connection buffer that is flushed on EPOLLOUT;
 *   - EPOLLOUT is in the interest set only while output is pending, so an
 *     idle connection never wakes the loop;
 *   - reading pauses while a connection has too much unsent output, so a
 *     client that sends but never reads cannot make us buffer without bound;
 *   - SIGINT/SIGTERM arrive through a signalfd, so shutdown is just another
 *     event and no async-signal-safety games are needed.
 *
 * Usage: echo_server [--host 127.0.0.1] [--port 0] [--max-seconds 600]
 *
 * Prints {"port": N} on stdout once listening (port 0 lets the OS choose),
 * then serves until SIGTERM/SIGINT and exits 0.  --max-seconds is a safety
 * net so a server whose parent forgot to kill it still goes away.
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common.h"

/* Stop reading a connection once this much output is queued for it. */
#define OUT_HIGH_WATER (1u << 20)
/* One shared read buffer: the loop is single-threaded and data read into it
 * is either sent straight back or copied into the connection's queue. */
#define IO_BUF_SIZE (64u * 1024)
#define MAX_EVENTS 256

enum kind { K_LISTENER, K_SIGNAL, K_CONN };

/* epoll_event.data.ptr always points at a struct source; connections embed
 * one as their first member so the event loop can dispatch on .kind. */
struct source {
    enum kind kind;
    int fd;
};

struct conn {
    struct source src;
    char *out;          /* unsent output; allocated only when a send came up short */
    size_t out_cap;
    size_t out_off;     /* first unsent byte */
    size_t out_len;     /* number of unsent bytes */
    bool out_armed;     /* EPOLLOUT currently in the interest set */
    bool read_paused;   /* stopped before EAGAIN (backpressure): with ET no new
                           EPOLLIN will come for data already queued, so we
                           must resume reading ourselves */
    bool peer_eof;      /* peer shut down its sending side */
};

static int epfd = -1;
static char iobuf[IO_BUF_SIZE];

static void conn_close(struct conn *c)
{
    /* close() also removes the fd from the epoll set (we never dup it). */
    close(c->src.fd);
    free(c->out);
    free(c);
}

/* Append bytes the kernel did not accept to the connection's queue. */
static bool queue_output(struct conn *c, const char *p, size_t n)
{
    if (c->out_off + c->out_len + n > c->out_cap) {
        /* Slide the unsent bytes to the front before considering growth. */
        if (c->out_off) {
            memmove(c->out, c->out + c->out_off, c->out_len);
            c->out_off = 0;
        }
        if (c->out_len + n > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : IO_BUF_SIZE;
            while (cap < c->out_len + n)
                cap *= 2;
            char *nb = realloc(c->out, cap);
            if (!nb)
                return false;
            c->out = nb;
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_off + c->out_len, p, n);
    c->out_len += n;
    return true;
}

/* Send p[0..n) now if nothing is queued (keeps byte order), queue the rest.
 * Returns false if the connection is broken. */
static bool conn_write(struct conn *c, const char *p, size_t n)
{
    if (c->out_len == 0) {
        while (n > 0) {
            ssize_t w = send(c->src.fd, p, n, MSG_NOSIGNAL);
            if (w >= 0) {
                p += w;
                n -= (size_t)w;
            } else if (would_block()) {
                break;
            } else if (errno != EINTR) {
                return false;
            }
        }
    }
    return n == 0 || queue_output(c, p, n);
}

/* Flush the queue as far as the kernel allows. False if broken. */
static bool conn_flush(struct conn *c)
{
    while (c->out_len > 0) {
        ssize_t w = send(c->src.fd, c->out + c->out_off, c->out_len, MSG_NOSIGNAL);
        if (w >= 0) {
            c->out_off += (size_t)w;
            c->out_len -= (size_t)w;
        } else if (errno != EINTR) {
            return would_block(); /* full socket buffer: EPOLLOUT resumes us */
        }
    }
    /* Drained: give the memory back so idle connections cost nothing. */
    free(c->out);
    c->out = NULL;
    c->out_cap = c->out_off = 0;
    return true;
}

/* Edge-triggered: we only hear about new data once, so keep reading until
 * the kernel says EAGAIN (or EOF, or we choose to pause). */
static bool conn_read(struct conn *c)
{
    for (;;) {
        if (c->out_len >= OUT_HIGH_WATER) {
            c->read_paused = true;
            return true;
        }
        ssize_t n = recv(c->src.fd, iobuf, sizeof iobuf, 0);
        if (n > 0) {
            if (!conn_write(c, iobuf, (size_t)n))
                return false;
        } else if (n == 0) {
            c->peer_eof = true;
            return true;
        } else if (errno != EINTR) {
            return would_block(); /* drained: the next edge brings more */
        }
    }
}

/* Keep EPOLLOUT in the interest set exactly while output is pending. */
static bool conn_update_interest(struct conn *c)
{
    bool want_out = c->out_len > 0;
    if (want_out == c->out_armed)
        return true;
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLRDHUP | EPOLLET | (want_out ? EPOLLOUT : 0),
        .data.ptr = c,
    };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->src.fd, &ev) < 0)
        return false;
    c->out_armed = want_out;
    return true;
}

static void conn_event(struct conn *c, uint32_t events)
{
    /* ERR: the socket has a pending error (e.g. reset).  HUP: both
     * directions are shut down.  Nothing left to echo to in either case. */
    if (events & (EPOLLERR | EPOLLHUP))
        goto close;

    /* Flush first: frees socket buffer space before we read more input. */
    if ((events & EPOLLOUT) && !conn_flush(c))
        goto close;

    /* EPOLLRDHUP may carry the last bytes before the FIN, so it is handled
     * as "readable"; the read loop then sees EOF. */
    bool readable = (events & (EPOLLIN | EPOLLRDHUP)) != 0;
    if (c->read_paused && c->out_len < OUT_HIGH_WATER) {
        c->read_paused = false;
        readable = true;
    }
    if (readable && !c->peer_eof && !conn_read(c))
        goto close;

    /* Half-closed by the peer: finish sending what we owe, then close. */
    if (c->peer_eof && c->out_len == 0)
        goto close;
    if (!conn_update_interest(c))
        goto close;
    return;
close:
    conn_close(c);
}

static void accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (would_block())
                return;
            /* EMFILE/ENOMEM etc.: the pending connection stays in the
             * backlog; with ET we will retry when the next one arrives.
             * Not worth more machinery for a benchmark server. */
            fprintf(stderr, "echo_server: accept4: %s\n", strerror(errno));
            return;
        }
        /* Echo replies are small and latency-bound: do not let Nagle hold
         * them back waiting for an ACK. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->src.kind = K_CONN;
        c->src.fd = fd;
        /* Data that arrived before this ADD is reported: adding an fd that
         * is already readable queues an event even with EPOLLET. */
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            fprintf(stderr, "echo_server: epoll_ctl ADD: %s\n", strerror(errno));
            conn_close(c);
        }
    }
}

int main(int argc, char **argv)
{
    prog_name = "echo_server";
    prog_usage = "[--host 127.0.0.1|::1] [--port N] [--max-seconds S]";
    const char *host = "127.0.0.1";
    long port = 0;
    long max_seconds = 600;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = option_value(argc, argv, &i);
        if (strcmp(a, "--host") == 0)
            host = v;
        else if (strcmp(a, "--port") == 0)
            port = parse_long(a, v, 0, 65535);
        else if (strcmp(a, "--max-seconds") == 0)
            max_seconds = parse_long(a, v, 1, 86400);
        else
            usage();
    }

    struct sockaddr_storage addr;
    socklen_t addrlen = parse_loopback(host, &addr, (int)port);

    /* Block the signals and receive them via signalfd instead. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
        die("sigprocmask");
    /* We use MSG_NOSIGNAL everywhere; this is belt and braces. */
    signal(SIGPIPE, SIG_IGN);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");

    struct source sig = { K_SIGNAL, signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC) };
    if (sig.fd < 0)
        die("signalfd");
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &sig };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, sig.fd, &ev) < 0)
        die("epoll_ctl signalfd");

    struct source lst = { K_LISTENER,
                          socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) };
    if (lst.fd < 0)
        die("socket");
    int one = 1;
    /* Lets a benchmark rerun on a fixed port despite TIME_WAIT leftovers. */
    setsockopt(lst.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lst.fd, (struct sockaddr *)&addr, addrlen) < 0)
        die("bind");
    /* A large backlog so a load generator opening 1000 connections at once
     * does not hit SYN drops and 1 s retransmit stalls. */
    if (listen(lst.fd, SOMAXCONN) < 0)
        die("listen");
    ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.ptr = &lst };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lst.fd, &ev) < 0)
        die("epoll_ctl listener");

    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(lst.fd, (struct sockaddr *)&bound, &blen) < 0)
        die("getsockname");
    int actual_port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                                       : ((struct sockaddr_in6 *)&bound)->sin6_port);
    /* The parent reads this line to learn the port; flush because stdout
     * is a pipe and would otherwise be block-buffered. */
    printf("{\"port\": %d}\n", actual_port);
    fflush(stdout);

    uint64_t deadline = now_ns() + (uint64_t)max_seconds * 1000000000u;
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        uint64_t now = now_ns();
        if (now >= deadline) {
            fprintf(stderr, "echo_server: --max-seconds %ld reached, exiting\n", max_seconds);
            break;
        }
        /* Round up so we never spin on a sub-millisecond remainder. */
        int timeout_ms = (int)((deadline - now + 999999) / 1000000);
        int n = wait_events(epfd, events, MAX_EVENTS, timeout_ms);
        for (int i = 0; i < n; i++) {
            struct source *s = events[i].data.ptr;
            switch (s->kind) {
            case K_LISTENER:
                accept_all(s->fd);
                break;
            case K_SIGNAL:
                /* Connections are released by process exit. */
                return 0;
            case K_CONN:
                /* At most one event per fd per epoll_wait, and handling a
                 * connection never closes another one, so freeing c here
                 * cannot leave a dangling pointer later in this batch. */
                conn_event((struct conn *)s, events[i].events);
                break;
            }
        }
    }
    return 0;
}
