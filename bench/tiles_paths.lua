-- wrk: every request a different tile. Reads the paths (one a line) from the file named by TILE_PATHS;
-- each thread starts at its own offset, so the two threads do not ask the same tiles at the same time.
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(os.getenv("TILE_PATHS")) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
done = function(summary, latency, requests)
  io.write(string.format('TILES_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "errors": %d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout))
end
