'use strict';
// CPU time of running processes, from /proc: what a server spent, whatever else the machine did.
const fs = require('node:fs');

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** User plus system time of the processes (all their threads), in µs. */
function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_US;
}

module.exports = { cpuMicros };
