'use strict';
// `--name value` command-line options, shared by the bench programs.
function option(name, fallback, argv = process.argv) {
  const at = argv.indexOf(`--${name}`);
  return at === -1 ? fallback : argv[at + 1];
}

function flag(name, argv = process.argv) {
  return argv.includes(`--${name}`);
}

module.exports = { option, flag };
