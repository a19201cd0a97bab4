-- wrk script: GET the paths listed in the file BENCH_PATHS (one per line), round robin, with the benchmark's key.
package.path = "bench/?.lua;" .. package.path
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RAFFSSYNC_BENCH_KEY")
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

done = require("summary").done
