-- A hostile client: every request a new URL with a new 8 KB Accept header, meant to fill the read cache
-- with entries that are never asked for again (vector tiles, mostly empty; bbox pages; searches).
-- Counts 5xx answers apart from the limiter's 503 and prints them when done. An argument
-- (`wrk ... -s attack.lua URL -- OFFSET`) shifts the numbering, so that runs one after another ask for
-- URLs none of the earlier runs asked for.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  counter = tonumber(args[1]) or 0
  server_errors = 0
  busy = 0
  pad = string.rep("a", 8000)
end

request = function()
  counter = counter + 1
  local n = counter * 16 + id
  local kind = n % 3
  local path
  if kind == 0 then
    local z = 14 + (n % 5)
    local scale = 2 ^ (z - 12)
    local x = 3300 * scale + math.floor(n / 5) % (120 * scale)
    local y = 1640 * scale + math.floor(n / 600) % (100 * scale)
    path = string.format("/tiles/counties/%d/%d/%d.mvt", z, x, y)
  elseif kind == 1 then
    local west = 108.5 + (n % 6000) / 1000
    local south = 29.2 + (math.floor(n / 6000) % 3000) / 1000
    path = string.format("/ogc/collections/counties/items?limit=5&bbox=%.3f,%.3f,%.3f,%.3f", west, south, west + 0.6, south + 0.6)
  else
    path = "/api/search?q=q" .. n
  end
  return wrk.format("GET", path, { ["Accept"] = "application/x-" .. n .. "-" .. pad, ["Accept-Encoding"] = "gzip" })
end

response = function(status, headers, body)
  if status == 503 then
    busy = busy + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests)
  local errors, limited = 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("server_errors")
    limited = limited + thread:get("busy")
  end
  io.write(string.format("SERVER_ERRORS %d\nBUSY %d\n", errors, limited))
end
