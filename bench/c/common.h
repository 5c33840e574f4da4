/*
 * common.h - helpers every C benchmark program needs.
 *
 * Header-only (static inline) so build.sh stays one compiler call per
 * program and a program that skips a helper pays nothing for it.  Include
 * it after defining _GNU_SOURCE, which must precede every system header.
 *
 * main() sets prog_name and prog_usage before anything can fail, so every
 * message still names the program that printed it.
 */
#ifndef BENCH_C_COMMON_H
#define BENCH_C_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

static const char *prog_name = "?";
/* The arguments part of the usage line, after "usage: <prog_name> ". */
static const char *prog_usage = "";

/* Status 2 is for a bad invocation, 1 for a failure while running, so a
 * caller can tell "you asked for something impossible" from "it broke". */
__attribute__((format(printf, 2, 3)))
static inline _Noreturn void fail(int status, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static inline _Noreturn void die(const char *what)
{
    fail(1, "%s: %s", what, strerror(errno));
}

static inline _Noreturn void usage(void)
{
    fprintf(stderr, "usage: %s %s\n", prog_name, prog_usage);
    exit(2);
}

/* The value after argv[*i], stepping past it; a missing value is a usage
 * error.  Programs handle their few value-less flags before calling this. */
static inline const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        usage();
    return argv[++*i];
}

/* Whole-string conversions: trailing junk, overflow and empty input all
 * count as failure, so "10x" or "" never silently become a number. */
static inline bool to_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return !errno && end != s && !*end;
}

static inline bool to_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return !errno && end != s && !*end;
}

static inline long parse_long(const char *name, const char *s, long lo, long hi)
{
    long v;
    if (!to_long(s, &v) || v < lo || v > hi)
        fail(2, "bad value for %s: '%s' (want %ld..%ld)", name, s, lo, hi);
    return v;
}

static inline double parse_double(const char *name, const char *s, double lo, double hi)
{
    double v;
    /* Written so that NaN fails the range test too. */
    if (!to_double(s, &v) || !(v >= lo && v <= hi))
        fail(2, "bad value for %s: '%s' (want %g..%g)", name, s, lo, hi);
    return v;
}

/* CLOCK_MONOTONIC: immune to wall-clock steps, and consistent across CPUs,
 * so timestamps taken on different threads can be subtracted. */
static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Benchmarks must only ever talk to the local machine, so only loopback
 * literals (and "localhost") are accepted; refusing happens before any
 * socket exists, so nothing is ever sent elsewhere. */
static inline socklen_t parse_loopback(const char *host, struct sockaddr_storage *ss, int port)
{
    memset(ss, 0, sizeof *ss);
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
            fail(2, "refusing non-loopback address '%s'", host);
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        return sizeof *in4;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            fail(2, "refusing non-loopback address '%s'", host);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        return sizeof *in6;
    }
    fail(2, "--host must be a numeric address, got '%s'", host);
}

/* An interrupted wait is reported as "nothing ready": every caller loops
 * anyway and recomputes its timeout, which is all EINTR calls for. */
static inline int wait_events(int ep, struct epoll_event *evs, int max, int timeout_ms)
{
    int n = epoll_wait(ep, evs, max, timeout_ms);
    if (n < 0 && errno != EINTR)
        die("epoll_wait");
    return n < 0 ? 0 : n;
}

/* For non-blocking sockets: true when a failed call only means "not now". */
static inline bool would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

#endif
