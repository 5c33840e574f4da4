// The far side of a ping-pong for a JS process: it inherits two eventfds as fds 3 (ping) and 4
// (pong), waits for each ping with epoll_wait, and answers with a pong. It stops when the ping
// counter carries the stop value, when its parent dies, or after a second with no ping.
#define _GNU_SOURCE
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { PING_FD = 3, PONG_FD = 4, IDLE_LIMIT_MS = 1000 };
// The parent writes this to stop the peer: a real ping only ever adds 1.
static const uint64_t STOP = 1000000;

int main(void) {
    // A parent that dies mid-run can no longer send the stop value.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event want = { .events = EPOLLIN, .data.fd = PING_FD };
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, PING_FD, &want) < 0) {
        perror("pingpong_peer: epoll");
        return 1;
    }
    const uint64_t one = 1;
    for (;;) {
        struct epoll_event got;
        int ready = epoll_wait(ep, &got, 1, IDLE_LIMIT_MS);
        if (ready == 0) return 2;
        if (ready < 0) continue;  // EINTR
        uint64_t value;
        if (read(PING_FD, &value, sizeof value) != sizeof value) continue;
        if (value >= STOP) return 0;
        if (write(PONG_FD, &one, sizeof one) != sizeof one) {
            perror("pingpong_peer: write");
            return 1;
        }
    }
}
