'use strict';
// CPU time of running processes, from /proc: what a server spent, whatever else the machine did.
const fs = require('node:fs');

// Linux's USER_HZ, the unit of /proc/PID/stat's times.
const TICK_US = 1e6 / 100;

/** User plus system time of a process or processes (all their threads), in µs. */
function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of [pids].flat()) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_US;
}

module.exports = { cpuMicros };
