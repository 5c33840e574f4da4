// The far side of a ping-pong for a JS process: it inherits two eventfds as fds 3 (ping) and 4
// (pong), waits for each ping with epoll_wait, and answers with a pong. It stops at end of input
// (the parent closes nothing it can see, so it is simply killed) or when the ping counter carries
// the stop value.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { PING_FD = 3, PONG_FD = 4 };
// The parent writes this to stop the peer: a real ping only ever adds 1.
static const uint64_t STOP = 1000000;

int main(void) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event want = { .events = EPOLLIN, .data.fd = PING_FD };
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, PING_FD, &want) < 0) {
        perror("pingpong_peer: epoll");
        return 1;
    }
    const uint64_t one = 1;
    for (;;) {
        struct epoll_event got;
        if (epoll_wait(ep, &got, 1, -1) < 1) continue;
        uint64_t value;
        if (read(PING_FD, &value, sizeof value) != sizeof value) continue;
        if (value >= STOP) return 0;
        if (write(PONG_FD, &one, sizeof one) != sizeof one) {
            perror("pingpong_peer: write");
            return 1;
        }
    }
}
