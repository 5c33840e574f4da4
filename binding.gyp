{
  "variables": {
    "sanitize%": 0
  },
  "targets": [
    {
      "target_name": "linux_epoll",
      "sources": [
        "native/addon.cc",
        "native/core/owned_fd.cc",
        "native/core/system_error.cc",
        "native/epoll/poller.cc",
        "native/epoll/wait_thread.cc",
        "native/epoll/loop_watcher.cc",
        "native/epoll/reserved_fd.cc",
        "native/fds/counter_fd.cc",
        "native/fds/io.cc",
        "native/fds/inotify.cc",
        "native/fds/pid_fd.cc",
        "native/net/sock.cc",
        "native/net/tun.cc",
        "native/gpio/gpio.cc",
        "native/gpio/gpio_layout.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # A native call that a worker's termination interrupts would otherwise rethrow an error that
      # can no longer be thrown, and std::terminate the whole process.
      "defines": ["NAPI_VERSION=8", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "conditions": [
        ["sanitize==1", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
