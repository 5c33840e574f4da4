# Sourced by the build and test scripts: installs Debian packages for commands that are missing, so
# CI can call the npm scripts on a bare Debian image.

# require_commands COMMAND:PACKAGE...  installs PACKAGE for each COMMAND not on PATH.
require_commands() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}"
}

apt_install() {
  echo "installing with apt-get: $*" >&2
  as_root apt-get update -qq || echo "apt-get update reported errors; trying with the lists it has" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
