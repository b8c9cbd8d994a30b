#!/usr/bin/env bash
# Re-vendor the page's front-end libraries from the npm registry at the versions pinned in
# web/package.json / web/package-lock.json. The copies under web/static/vendor/ are committed, so
# neither npm nor a network is needed to run the atlas; run this only to upgrade them.
set -euo pipefail
cd "$(dirname "$0")/../web"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
vendor=static/vendor
rm -rf "$vendor" && mkdir -p "$vendor/leaflet" "$vendor/leaflet-polylinedecorator" "$vendor/swagger-ui" "$vendor/html-to-image"
cp -r "$work/node_modules/leaflet/dist/leaflet.js" "$work/node_modules/leaflet/dist/leaflet.css" \
      "$work/node_modules/leaflet/dist/images" "$work/node_modules/leaflet/LICENSE" "$vendor/leaflet/"
cp "$work/node_modules/leaflet-polylinedecorator/dist/leaflet.polylineDecorator.js" \
   "$work/node_modules/leaflet-polylinedecorator/LICENSE" "$vendor/leaflet-polylinedecorator/"
# Swagger UI for /docs (FastAPI's default page would load it from a CDN).
cp "$work/node_modules/swagger-ui-dist/swagger-ui-bundle.js" "$work/node_modules/swagger-ui-dist/swagger-ui.css" \
   "$work/node_modules/swagger-ui-dist/LICENSE" "$vendor/swagger-ui/"
# html-to-image for the page's "保存图片 Save image" (the map view as PNG); the page loads it only then.
cp "$work/node_modules/html-to-image/dist/html-to-image.js" "$work/node_modules/html-to-image/LICENSE" "$vendor/html-to-image/"
for package in leaflet leaflet-polylinedecorator swagger-ui-dist html-to-image; do
    node -e "const p=require('$work/node_modules/$package/package.json'); console.log(p.name + ' ' + p.version + ' (' + p.license + ')')" \
        > "$vendor/${package%-dist}/VERSION"
done
echo "Vendored into web/$vendor:" && cat "$vendor"/*/VERSION
