#!/usr/bin/awk -f
# Reads the guest's serial console: keeps all of it in the file `logfile`, and passes to stdout what
# the guest's command printed, between the markers /init writes around it.
{
  sub(/\r$/, "")
  print > logfile
  fflush(logfile)
}
/^@@LINUX_EPOLL_VM_BEGIN@@/ {
  sub(/^@@LINUX_EPOLL_VM_BEGIN@@ /, "[vm] ")
  print > "/dev/stderr"
  running = 1
  next
}
/^@@LINUX_EPOLL_VM_EXIT [0-9]*@@$/ { running = 0; next }
running { print; fflush() }
