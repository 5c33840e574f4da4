-- wrk's summary as one line of JSON, for bench/lib/processes' runJson, with wrk's own CPU time
-- (utime + stime of all its threads, in clock ticks, from /proc/self/stat).
local function cpu_ticks()
  local file = io.open('/proc/self/stat', 'r')
  if file == nil then return -1 end
  local stat = file:read('*a')
  file:close()
  -- After the command name in parentheses, utime and stime are the 12th and 13th fields.
  local rest = stat:match('%) (.*)')
  local fields = {}
  for field in rest:gmatch('%S+') do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "requests_per_sec": %.2f, "p50_us": %d, "p99_us": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx": %d, ' ..
      '"wrk_cpu_ticks": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.timeout, errors.status, cpu_ticks()))
end
