-- wrk's summary as one line run.sh reads: "bench: requests rps p50_ms p99_ms p999_ms errors".
local summary = {}

function summary.done(s, latency, requests)
  local errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status
  io.write(string.format("bench: %d %.1f %.2f %.2f %.2f %d\n", s.requests, s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, errors))
end

return summary
