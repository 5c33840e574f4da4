// The floor for the pidfd exit-latency benchmark: the same child (exit_stamp) waited for with a
// pidfd in epoll_wait by a C parent that does nothing else, so what remains is the kernel's exit
// path and one wake-up. Each sample spawns a child, opens its pidfd, then lets it go.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    prog_name = "pidfd_floor";
    prog_usage = "--child PATH [--samples 200]";
    const char *child = NULL;
    long samples = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--child") == 0) child = option_value(argc, argv, &i);
        else if (strcmp(argv[i], "--samples") == 0) samples = parse_long("--samples", option_value(argc, argv, &i), 1, 100000);
        else usage();
    }
    if (child == NULL) usage();
    double *latencies = calloc((size_t)samples, sizeof *latencies);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (latencies == NULL || ep < 0) die("setup");
    for (long i = 0; i < samples; i++) {
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) die("pipe2");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        pid_t pid;
        char *args[] = {(char *)child, NULL};
        if (posix_spawn(&pid, child, &actions, NULL, args, environ) != 0) die("posix_spawn");
        posix_spawn_file_actions_destroy(&actions);
        close(in[0]);
        close(out[1]);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        struct epoll_event want = {.events = EPOLLIN, .data.fd = pidfd};
        if (pidfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &want) < 0) die("pidfd");
        if (write(in[1], "x", 1) != 1) die("write");
        struct epoll_event got;
        while (epoll_wait(ep, &got, 1, -1) != 1) {}
        uint64_t heard = now_ns();
        char line[32] = {0};
        if (read(out[0], line, sizeof line - 1) <= 0) die("read");
        latencies[i] = (double)(heard - strtoull(line, NULL, 10)) / 1000.0;
        waitpid(pid, NULL, 0);
        close(pidfd);
        close(in[1]);
        close(out[0]);
    }
    qsort(latencies, (size_t)samples, sizeof *latencies, compare);
    printf("{\"samples\": %ld, \"p50_us\": %.3f, \"p99_us\": %.3f}\n", samples, latencies[(samples - 1) / 2],
           latencies[(samples * 99 + 99) / 100 - 1]);
    return 0;
}
