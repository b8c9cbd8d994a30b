-- Fresh queries (bench/fresh.py): every request a URL no earlier request of the run asked for.
-- `wrk ... -s fresh.lua BASE -- TEMPLATE SEED`: TEMPLATE is a path with placeholders filled per request:
--   {bbox}     a random 0.6° × 0.6° window over Hubei (west,south,east,north; 3 decimals)
--   {x}/{y}    a random tile over Hubei at the zoom written just before them ("/11/{x}/{y}.mvt")
--   {zoom}     a random web-map zoom 0–22 (only 23 values: fresh only with the read cache off)
-- Each thread draws from its own seeded generator, so every server of a run gets the same sequence.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  template = args[1]
  math.randomseed((tonumber(args[2]) or 1) * 1000 + id)
  tile_zoom = tonumber(string.match(template, "/(%d+)/{x}/{y}") or "0")
end

local WEST, SOUTH, EAST, NORTH, SIZE = 108.3, 29.0, 116.2, 33.3, 0.6

local function tile_xy(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end

request = function()
  local west = WEST + math.random() * (EAST - WEST - SIZE)
  local south = SOUTH + math.random() * (NORTH - SOUTH - SIZE)
  local path = template
  path = string.gsub(path, "{bbox}", string.format("%.3f,%.3f,%.3f,%.3f", west, south, west + SIZE, south + SIZE))
  path = string.gsub(path, "{zoom}", tostring(math.random(0, 22)))
  if tile_zoom > 0 then
    local x0, y1 = tile_xy(WEST, SOUTH, tile_zoom)
    local x1, y0 = tile_xy(EAST, NORTH, tile_zoom)
    path = string.gsub(path, "{x}", tostring(math.random(x0, x1)))
    path = string.gsub(path, "{y}", tostring(math.random(y0, y1)))
  end
  return wrk.format("GET", path)
end

-- The one result line bench/measure.py reads, from the script every benchmark run uses.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_report.lua")
