#!/usr/bin/env bash
# Run by .ci/run: Chromium opens crs's board paper (crs report) from a file, offline,
# and prints it to PDF as a reader would; the PDF must be A4, a sensible number of
# pages, and hold the paper's words. Also checks the page fetches nothing: Chromium
# runs with networking features off, and the HTML names no http(s) resource.
# Needs Chromium and poppler (Debian: apt-get install -y chromium poppler-utils;
# installed here when missing and run as root) and a built crs.
# Usage: scripts/check-report-in-chromium.sh [path/to/crs]   (default: target/debug/crs)
# With UPDATE_DOCS=1 the first printed page is written to docs/report-page.png, as the
# README shows it.
set -euo pipefail
if ! command -v chromium >/dev/null || ! command -v pdfinfo >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "install chromium and poppler-utils" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
crs="${1:-$here/target/debug/crs}"
[ -x "$crs" ] || (cd "$here" && cargo build --locked --quiet)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1795435200   # 23 November 2026, as in the tests
fail() { echo "FAIL: $*" >&2; exit 1; }
max_pages=12

# 1. The sample register's paper, as a file.
cp -r "$here/designations" "$work/sample"
"$crs" --register "$work/sample" --quiet report -o "$work/report.html"
[ -s "$work/report.html" ] || fail "crs report wrote nothing"
if grep -Eiq '(src|href)=["'"'"']?(https?:)?//|url\((["'"'"'])?https?:|@import|<script|<link' "$work/report.html"; then
  fail "the page refers to a resource elsewhere, or runs a script"
fi
echo "ok: the paper is one self-contained page ($(wc -c <"$work/report.html") bytes)"

# 2. Printed by Chromium, headless, with no profile, no network features and no
#    header or footer of its own.
profile="$(mktemp -d)"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --no-pdf-header-footer \
  --print-to-pdf="$work/report.pdf" "file://$work/report.html" >/dev/null 2>&1 || true
rm -rf "$profile"
[ -s "$work/report.pdf" ] || fail "Chromium did not print the page to PDF"

# 3. A4 (595 x 842 points) on every page, and a sensible number of pages.
pages="$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ {print $2}')"
[ "$pages" -ge 1 ] && [ "$pages" -le "$max_pages" ] || fail "the paper prints on $pages pages (1 to $max_pages expected)"
for page in $(seq 1 "$pages"); do
  size="$(pdfinfo -f "$page" -l "$page" "$work/report.pdf" | awk '/^Page +[0-9]+ size:/ {printf "%.0f %.0f", $4, $6}')"
  [ "$size" = "595 842" ] || fail "page $page is $size points, not A4 portrait (595 842)"
done
echo "ok: the paper prints on $pages A4 pages"

# 4. The words a reader looks for, as printed.
text="$(pdftotext -layout "$work/report.pdf" -)"
for words in "NHS South East London ICB" "The register at a glance" "Reviews due" "What changed in the period" \
    "Open requests, refusals and referrals" "Findings of the register check" "Neonatal intensive care" \
    "The ICB Board decided to designate" "Under review"; do
  grep -qF "$words" <<<"$text" || fail "the printed paper lacks \"$words\""
done
# Nothing is cut at the page's right edge: every line of text fits the page width.
widest="$(pdftotext -bbox "$work/report.pdf" - | awk -F'"' '/<word / {if ($6 + 0 > max) max = $6 + 0} END {print max + 0}')"
awk -v w="$widest" 'BEGIN { exit !(w <= 595 - 30) }' || fail "text reaches x=$widest points, beyond the right margin"
echo "ok: the printed paper holds its headings and sentences; the widest text ends at x=$widest of 595 points"

pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/report.pdf" "$work/report-page"
[ -s "$work/report-page.png" ] || fail "no PNG of the first page"
if [ "${UPDATE_DOCS:-}" = 1 ]; then
  cp "$work/report-page.png" "$here/docs/report-page.png"
  echo "wrote docs/report-page.png"
fi
echo "Chromium: $(chromium --version 2>/dev/null || echo unknown)"
