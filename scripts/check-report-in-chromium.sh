#!/usr/bin/env bash
# Run by .ci/run: Chromium opens crs's board paper (crs report) from a file, offline,
# and prints it to PDF as a reader would: A4, numbered "Page 1 of N" by the paper's
# own @page margin boxes, text no smaller than 8 pt (measured with pdftotext -bbox),
# no word broken across lines, no command lines, and at most 6 pages for the sample
# register and 12 for a generated register of 300 services; and that each of these
# checks fails a copy of the sample's paper spoiled its way. Also checks the page
# fetches nothing: Chromium runs with networking features off, and the HTML names no
# http(s) resource.
# Needs Chromium and poppler (Debian: apt-get install -y chromium poppler-utils;
# installed here when missing and run as root) and a built crs.
# Usage: scripts/check-report-in-chromium.sh [path/to/crs]   (default: target/debug/crs)
# With UPDATE_DOCS=1 the first printed page of the sample's paper is written to
# docs/report-page.png and its findings page to docs/report-findings-page.png, as the
# README shows them. With KEEP=DIR the two printed papers are left in DIR
# (sample.pdf, large.pdf), to be looked at.
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
sample_pages=6   # the sample register's paper
large_pages=12   # a register of 300 services

# A register of 300 services made from the sample's 13: each record copied with a
# numbered name, its dates moved back by 0, 1 or 2 years (so some of its reviews are
# overdue and its period holds hundreds of steps), and under one of 30 providers: its
# own or one of five made from it (RJ1 gives R11 to R51), as a large ICB has.
generate() {
  python3 - "$1" "$2" <<'PY'
import pathlib, re, shutil, sys
sample, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
shutil.copytree(sample, out)
records = sorted(p for p in out.glob("*/*.toml"))
def shifted(text, years):
    def back(m):
        y, mo, d = int(m.group(2)) - years, m.group(3), m.group(4)
        if (mo, d) == ("02", "29"):
            d = "28"
        return f"{m.group(1)}{y}-{mo}-{d}"
    return re.sub(r"(= )(\d{4})-(\d{2})-(\d{2})\b", back, text)
n, copy = len(records), 1
while n < 300:
    for record in records:
        if n >= 300:
            break
        text = record.read_text(encoding="utf-8")
        text = re.sub(r'(\[service\]\nname = ")([^"]*)"', lambda m: f'{m.group(1)}{m.group(2)}, unit {copy}"', text, count=1)
        folder, group = record.parent, copy % 6
        if group:
            ods = folder.name
            code = f"{ods[0]}{group}{ods[2]}"
            text = re.sub(r'(\[provider\]\nods = ")[^"]*"\nname = "([^"]*)"',
                          lambda m: f'{m.group(1)}{code}"\nname = "{m.group(2)}, {code}"', text, count=1)
            folder = out / code
            folder.mkdir(exist_ok=True)
        (folder / f"{record.stem}-{copy}.toml").write_text(shifted(text, copy % 3), encoding="utf-8")
        n += 1
    copy += 1
PY
}

# Chromium prints the paper at $1 (HTML) to $2 (PDF), headless, with no profile, no
# network features and no header or footer of its own.
print_pdf() {
  local profile
  profile="$(mktemp -d)"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --no-pdf-header-footer \
    --print-to-pdf="$2" "file://$1" >/dev/null 2>&1 || true
  rm -rf "$profile"
  [ -s "$2" ] || fail "Chromium did not print $1 to PDF"
}

# The checks every printed paper passes: $1 the PDF, $2 the most pages allowed,
# $3 the paper's HTML, $4 its name in messages.
check_printed() {
  local pdf="$1" max="$2" html="$3" name="$4" pages size text widest smallest
  # A4 (595 x 842 points) on every page, and no more pages than a board reads.
  pages="$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')"
  [ "$pages" -ge 1 ] && [ "$pages" -le "$max" ] || fail "$name prints on $pages pages (1 to $max expected)"
  for page in $(seq 1 "$pages"); do
    size="$(pdfinfo -f "$page" -l "$page" "$pdf" | awk '/^Page +[0-9]+ size:/ {printf "%.0f %.0f", $4, $6}')"
    [ "$size" = "595 842" ] || fail "$name: page $page is $size points, not A4 portrait (595 842)"
  done
  # Its own page numbers, printed by the page's @page margin box.
  text="$(pdftotext -layout "$pdf" -)"
  for page in 1 "$pages"; do
    grep -qF "Page $page of $pages" <<<"$text" || fail "$name lacks \"Page $page of $pages\" in print"
  done
  # Nothing is cut at the page's right edge: every line of text fits the page width.
  widest="$(pdftotext -bbox "$pdf" - | awk -F'"' '/<word / {if ($6 + 0 > max) max = $6 + 0} END {print max + 0}')"
  awk -v w="$widest" 'BEGIN { exit !(w <= 595 - 30) }' || fail "$name: text reaches x=$widest points, beyond the right margin"
  # No text smaller than 8 pt: a word's box is its font's ascent plus descent high,
  # 1.117 times the size for Liberation Sans (Arial's metrics), which the paper
  # asks for; fonts with taller boxes only make this more lenient.
  smallest="$(pdftotext -bbox "$pdf" - | awk -F'"' '/<word / {h = $8 - $4; if (min == "" || h < min) min = h} END {printf "%.2f", min / 1.117}')"
  awk -v s="$smallest" 'BEGIN { exit !(s >= 8) }' || fail "$name: the smallest printed text is $smallest pt, below 8 pt"
  # No word broken across lines: every printed word is a word of the page, or a
  # word of it split at its own hyphen.
  pdftotext -raw "$pdf" "$work/words.txt"
  python3 - "$html" "$work/words.txt" <<'PY' || fail "$name breaks words across lines (above)"
import html.parser, re, sys
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words, self.skip = set(), 0
    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "title", "desc")
    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "title", "desc")
    def handle_data(self, data):
        if not self.skip:
            self.words.update(data.split())
page = Text()
page.feed(open(sys.argv[1], encoding="utf-8").read())
known = page.words | {"Page", "of"}
printed = open(sys.argv[2], encoding="utf-8").read().split()
broken, i = [], 0
while i < len(printed):
    word = printed[i]
    if word in known or word.isdigit():
        i += 1
        continue
    # A word split at its own hyphen ("midwife-" "led") is a word of the page joined.
    if word.endswith("-") and i + 1 < len(printed) and word + printed[i + 1] in known:
        i += 2
        continue
    broken.append(word)
    i += 1
if broken:
    print("not words of the page:", " ".join(broken[:20]), file=sys.stderr)
    sys.exit(1)
PY
  # No command lines: what to do, and the commands that do it, are crs check's to say.
  if grep -qE -- ' --[a-z]|crs (review|assess|event|decide|move|succeed|submit) ' <<<"$text"; then
    fail "$name holds command lines; they belong to crs check"
  fi
  echo "ok: $name prints on $pages A4 pages numbered \"Page 1 of $pages\"; its smallest text is $smallest pt; the widest ends at x=$widest of 595 points; no word is broken; no command line"
}

# 1. The sample register's paper, as a file.
cp -r "$here/designations" "$work/sample"
"$crs" --register "$work/sample" --quiet report -o "$work/report.html"
[ -s "$work/report.html" ] || fail "crs report wrote nothing"
if grep -Eiq '(src|href)=["'"'"']?(https?:)?//|url\((["'"'"'])?https?:|@import|<script|<link' "$work/report.html"; then
  fail "the page refers to a resource elsewhere, or runs a script"
fi
echo "ok: the paper is one self-contained page ($(wc -c <"$work/report.html") bytes)"

# 2. Printed by Chromium as a reader would, and checked.
print_pdf "$work/report.html" "$work/report.pdf"
check_printed "$work/report.pdf" "$sample_pages" "$work/report.html" "the sample register's paper"

# 3. The words a reader looks for, as printed.
text="$(pdftotext -layout "$work/report.pdf" -)"
for words in "NHS South East London ICB" "The register at a glance" "Reviews due" "What changed in the period" \
    "Open requests, refusals and referrals" "Findings of the register check" "Neonatal intensive care" \
    "The ICB Board decided to designate" "Under review" "Number of services"; do
  grep -qF "$words" <<<"$text" || fail "the printed paper lacks \"$words\""
done
echo "ok: the printed paper holds its headings and sentences"

# 4. A register of 300 services: summaries, not a line per finding.
generate "$here/designations" "$work/large"
"$crs" --register "$work/large" --quiet report -o "$work/large.html"
print_pdf "$work/large.html" "$work/large.pdf"
check_printed "$work/large.pdf" "$large_pages" "$work/large.html" "the paper of 300 services"

# 5. The checks fail when they should: each on a copy of the sample's paper spoiled
# one way, which must not pass.
spoiled() {
  local what="$1" style="$2" body="$3"
  python3 - "$work/report.html" "$work/spoiled.html" "$style" "$body" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
style, body = sys.argv[3], sys.argv[4]
page = page.replace("</head>", f"<style>{style}</style></head>", 1)
page = page.replace("<main>", f"<main>{body}", 1)
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
  print_pdf "$work/spoiled.html" "$work/spoiled.pdf"
  if (check_printed "$work/spoiled.pdf" "$sample_pages" "$work/spoiled.html" "a paper with $what") 2>"$work/spoiled.err" >/dev/null; then
    fail "the check passed a paper with $what"
  fi
  echo "ok: a paper with $what fails: $(tail -n 1 "$work/spoiled.err")"
}
main="$(sed -n '/<main>/,/<\/main>/p' "$work/report.html" | sed '1s/.*<main>//; $d')"
spoiled "text of 6 pt" "body, table, footer, p, li { font-size: 6pt !important; } svg .label, svg .value { font-size: 8px !important; }" ""
spoiled "no page numbers" "@page { @bottom-center { content: none; } }" ""
spoiled "three times the sample's content" "" "$main$main"
spoiled "a word broken across lines" "" \
  '<p style="width: 2.5cm; overflow-wrap: anywhere">Paediatricinpatientsandneonatalintensivecare</p>'
spoiled "a command line" "" '<p>Run crs review complete RJZ/major-trauma-centre --confirm to finish the review.</p>'

pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/report.pdf" "$work/report-page"
[ -s "$work/report-page.png" ] || fail "no PNG of the first page"
# The page that sums up the check's findings.
pages="$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ {print $2}')"
findings_page=1
for page in $(seq 1 "$pages"); do
  if pdftotext -f "$page" -l "$page" "$work/report.pdf" - | grep -qF "Findings of the register check"; then
    findings_page="$page"
  fi
done
pdftoppm -png -r 60 -f "$findings_page" -l "$findings_page" -singlefile "$work/report.pdf" "$work/findings-page"
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  cp "$work/report.pdf" "$KEEP/sample.pdf"
  cp "$work/large.pdf" "$KEEP/large.pdf"
  echo "kept the printed papers in $KEEP"
fi
if [ "${UPDATE_DOCS:-}" = 1 ]; then
  cp "$work/report-page.png" "$here/docs/report-page.png"
  cp "$work/findings-page.png" "$here/docs/report-findings-page.png"
  echo "wrote docs/report-page.png and docs/report-findings-page.png (page $findings_page)"
fi
echo "Chromium: $(chromium --version 2>/dev/null || echo unknown)"
