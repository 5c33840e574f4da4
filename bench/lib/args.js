'use strict';
// `--name value` command-line options, shared by the bench programs.
function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

function flag(name) {
  return process.argv.includes(`--${name}`);
}

module.exports = { option, flag };
