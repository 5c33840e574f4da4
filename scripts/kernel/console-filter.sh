#!/usr/bin/env bash
# console-filter.sh LOG  reads the guest's serial console on stdin: keeps all of it in LOG, and
# passes to stdout, line by line as it arrives, what the guest's command printed between the
# markers /init writes around it. (A shell loop rather than awk: Debian's mawk holds pipe input
# back in blocks, so a hung guest's last words would never be seen.)
log="$1"
running=0
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%$'\r'}"
  printf '%s\n' "$line" >>"$log"
  case "$line" in
    @@LINUX_EPOLL_VM_BEGIN@@*)
      printf '[vm] %s\n' "${line#@@LINUX_EPOLL_VM_BEGIN@@ }" >&2
      running=1
      ;;
    @@LINUX_EPOLL_VM_EXIT\ *@@) running=0 ;;
    *) [ "$running" = 0 ] || printf '%s\n' "$line" ;;
  esac
done
