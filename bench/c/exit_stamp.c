// The child of the pidfd exit-latency benchmark: it waits for one byte on stdin, so that its parent
// is watching before it exits, then writes now_ns() (CLOCK_MONOTONIC, the clock of Node's
// process.hrtime) to stdout and exits at once, with nothing to tear down in between.
#define _GNU_SOURCE
#include <unistd.h>

#include "common.h"

int main(void) {
    prog_name = "exit_stamp";
    char go;
    if (read(0, &go, 1) != 1) return 1;
    char line[32];
    int length = snprintf(line, sizeof line, "%llu\n", (unsigned long long)now_ns());
    if (write(1, line, (size_t)length) != length) return 1;
    _exit(0);
}
