'use strict';
// Debian tools a suite measures with or against (wrk, nginx, redis-server, ...), installed when
// missing, as CI runs: as root on a clean machine, where the package lists may not be fetched yet.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SEARCH = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/sbin'];

/** The path of command, or null when it is not installed. */
function which(command) {
  for (const dir of SEARCH) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** commands: { command: debianPackage }. Returns { command: path }; throws when it cannot install. */
function ensureCommands(commands) {
  const missing = Object.keys(commands).filter((command) => which(command) === null);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((command) => commands[command]))];
    const install = () => execFileSync('apt-get', ['install', '-y', ...packages], { stdio: 'ignore' });
    process.stderr.write(`(installing ${packages.join(', ')}) `);
    try {
      install();
    } catch {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      install();
    }
  }
  return Object.fromEntries(
    Object.keys(commands).map((command) => {
      const found = which(command);
      if (found === null) throw new Error(`${command} is still missing after apt-get install ${commands[command]}`);
      return [command, found];
    }),
  );
}

module.exports = { ensureCommands, which };
