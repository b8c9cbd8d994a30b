#!/usr/bin/env bash
# Installs everything the atlas needs on a fresh Debian machine: Debian packages, a virtual
# environment in .venv and the project itself. Safe to run again: it installs only what is missing.
#   bash scripts/setup.sh            # to run the atlas
#   bash scripts/setup.sh --test     # also what the tests need: GDAL's tools, PostGIS, a test database
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
[ "${1:-}" = "--test" ] && for_tests=true

apt_packages=(python3 python3-venv python3-dev libsqlite3-mod-spatialite)
# The place briefs (PDF, made by WeasyPrint): Pango lays out the text, fontconfig finds the fonts, and the Noto CJK fonts
# typeset the Chinese (the browser tests lay the page out with them too, as it is for its readers).
apt_packages+=(libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-noto-cjk)
# For tests: GDAL's tools and PostGIS as real clients and backend; wrk as the load generator; Chromium (driven by Playwright, never
# a downloaded browser); nginx as the HTTP cache in front of replica workers (tests/test_scaling.py).
$for_tests && apt_packages+=(gdal-bin postgresql-15 postgresql-15-postgis-3 postgresql-client-15 chromium wrk nginx)
# Node runs the page's module tests (`node --test web/tests/`); any node on the PATH will do, else Debian's.
$for_tests && ! command -v node >/dev/null && apt_packages+=(nodejs)
# poppler-utils: the print and brief tests count a PDF's pages (pdfinfo), read its text and fonts (pdftotext, pdffonts) and
# render its pages to PNG (pdftoppm).
$for_tests && apt_packages+=(poppler-utils)
# zbar-tools: the share test decodes the page's QR code (zbarimg).
$for_tests && apt_packages+=(zbar-tools)

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "==> Installing Debian packages: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv"
    python3 -m venv .venv
fi
extras=""
$for_tests && extras="[build,test]"
echo "==> Installing the atlas into .venv${extras:+ with $extras}"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"

if $for_tests; then
    # PostgreSQL 15 on 127.0.0.1:5432 (trust auth): start it if it is down, then make the test database.
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^15 *main .*online"; then
        echo "==> Starting PostgreSQL 15"
        $sudo_cmd pg_ctlcluster --skip-systemctl-redirect 15 main start
    fi
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'atlas_test'" | grep -q 1; then
        echo "==> Creating the test database atlas_test"
        psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE atlas_test"
    fi
    psql -h 127.0.0.1 -U postgres -d atlas_test -qc "CREATE EXTENSION IF NOT EXISTS postgis"
fi
