-- A mix of the atlas's reads, each connection cycling through them.
local paths = {
  "/ogc/collections/prefectures/items?limit=100",
  "/ogc/collections/counties/items?limit=20&bbox=112,30,114,31",
  "/ogc/collections/clusters/items?limit=20&sector=aerospace",
  "/api/clusters?sector=specialty",
  "/api/search?q=xianning",
  "/api/places/421000",
  "/api/sectors",
  "/healthz",
}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], { ["Accept-Encoding"] = "gzip" })
end
