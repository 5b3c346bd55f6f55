#!/usr/bin/env bash
# Run by .ci/run: LibreOffice opens crs's workbooks, reads every sheet of them as crs
# wrote them, runs none of the formula-like text, and prints them: landscape, one
# page wide, to PDF, whose pages become PNG images.
# Needs LibreOffice and poppler (Debian: apt-get install -y libreoffice-calc-nogui
# poppler-utils; installed here when missing and run as root) and a built crs.
# Usage: scripts/check-with-libreoffice.sh [path/to/crs]   (default: target/debug/crs)
# With UPDATE_DOCS=1 the first page of the sample's workbook is written to
# docs/workbook-page.png, as the README shows it.
set -euo pipefail
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "install libreoffice-calc-nogui and poppler-utils" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
crs="${1:-$here/target/debug/crs}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1795435200
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The sample register, and a register whose record holds formula-like text.
cp -r "$here/designations" "$work/sample"
mkdir -p "$work/formula/RJ1"
cp "$here/designations/crs.toml" "$work/formula/"
sed -e 's/^name = "Maternity: consultant-led obstetric unit"/name = "=HYPERLINK(\\"http:\/\/x\\",\\"y\\")"/' \
    -e 's/^description = .*/description = "+1+1"/' \
    "$here/designations/RJ1/maternity.toml" > "$work/formula/RJ1/maternity.toml"
for reg in sample formula; do
  "$crs" --register "$work/$reg" --quiet export --history -o "$work/$reg.xlsx"
  "$crs" --register "$work/$reg" --quiet export --format csv -o "$work/$reg-crs.csv"
done

# 2. LibreOffice converts every sheet to CSV (UTF-8, the last field -1 = all sheets),
#    and re-saves the workbook as xlsx: both fail if it cannot load the file.
for reg in sample formula; do
  (cd "$work" && soffice --headless --convert-to \
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' "$reg.xlsx" >/dev/null 2>&1)
  (cd "$work" && soffice --headless --convert-to xlsx --outdir resaved "$reg.xlsx" >/dev/null 2>&1)
  for sheet in Designations Changes History Notes About; do
    [ -s "$work/$reg-$sheet.csv" ] || fail "LibreOffice did not read sheet $sheet of $reg.xlsx"
  done
  [ -s "$work/resaved/$reg.xlsx" ] || fail "LibreOffice could not re-save $reg.xlsx"
  # 3. The designations sheet, as LibreOffice reads it, holds crs's rows: the same
  #    headings and, in every column that holds neither words for a code nor a date,
  #    crs's own CSV cell for cell (crs's CSV quotes formula-like text with ' ;
  #    LibreOffice shows the text itself).
  python3 - "$work/$reg-Designations.csv" "$work/$reg-crs.csv" <<'PY' \
    || fail "$reg: LibreOffice reads the designations sheet differently from crs's CSV"
import csv, re, sys
office = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
crs = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
assert office[0] == crs[0], (office[0], crs[0])
assert len(office) == len(crs), (len(office), len(crs))
worded = {"Provider type", "Provider licence", "Status", "Decision"}
for a, b in zip(office[1:], crs[1:]):
    for heading, x, y in zip(crs[0], a, b):
        y = re.sub(r"^'([-=+@])", r"\1", y)
        if heading in worded or re.fullmatch(r"\d{4}-\d\d-\d\d", y):
            continue
        assert x == y, (heading, x, y)
PY
  # The History sheet: a line for each stage, decision and event, with its heading row.
  head -1 "$work/$reg-History.csv" | grep -q '^Record id,Date,What,Code,' \
    || fail "$reg: the History sheet's headings are not crs's"
  [ "$(wc -l < "$work/$reg-History.csv")" -gt 5 ] || fail "$reg: the History sheet has too few lines"
  echo "ok: $reg.xlsx: 5 sheets read, designations identical to crs's CSV, re-saved as xlsx"
done

# 4. The formula-like text stayed text: the cell shows the formula's text, not "y" or 2.
grep -q '"=HYPERLINK(""http://x"",""y"")"' "$work/formula-Designations.csv" \
  || fail "the HYPERLINK text was not kept as text"
grep -q ',+1+1,' "$work/formula-Designations.csv" || fail "+1+1 was not kept as text"
echo "ok: formula-like text is shown as text, not run"

# 5. In the workbook LibreOffice re-saved, the dates are still numbers (real dates),
#    and no cell holds a formula.
python3 - "$work/resaved/sample.xlsx" "$work/resaved/formula.xlsx" <<'PY' || fail "dates or formulas changed"
import re, sys, zipfile
for path in sys.argv[1:]:
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    cell = re.search(r'<c r="Q2"([^>]*)>(.*?)</c>', xml)
    assert cell and 't="s"' not in cell.group(1) and "<v>" in cell.group(2), f"{path}: Q2 is not a number"
    assert "<f>" not in xml and "<f " not in xml, f"{path}: a formula"
print("ok: after LibreOffice re-saves the workbooks, dates are numbers and there are no formulas")
PY

# 6. Printed: every sheet landscape and one page wide, so the sample's workbook is
#    thirteen pages (designations on A3; changes, five of history, five of notes with
#    every rule and what it rests on, about on A4), the header row and the sheet's
#    name on each; the first page becomes a PNG.
(cd "$work" && soffice --headless --convert-to pdf sample.xlsx >/dev/null 2>&1)
pages="$(pdfinfo "$work/sample.pdf" | awk '/^Pages:/ {print $2}')"
[ "$pages" = 13 ] || fail "the sample's workbook prints on $pages pages, not 13"
for page in $(seq 1 "$pages"); do
  size="$(pdfinfo -f "$page" -l "$page" "$work/sample.pdf" | awk '/size:/ {print $4, $6}')"
  awk -v s="$size" 'BEGIN { split(s, p, " "); exit !(p[1] > p[2]) }' || fail "page $page is not landscape ($size)"
done
text="$(pdftotext -layout "$work/sample.pdf" -)"
for words in "Commissioner Requested Services: Designations" "NHS foundation trust" "Under review" \
    "Stage 1: Alternative provision: rationale" "Commissioner Requested Services: History" \
    "Refusal found unreasonable" "Commissioner Requested Services: Notes" "Page 1 of 13"; do
  grep -qF "$words" <<<"$text" || fail "the printed workbook lacks \"$words\""
done
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$work/sample.pdf" "$work/workbook-page"
[ -s "$work/workbook-page.png" ] || fail "no PNG of the first page"
if [ "${UPDATE_DOCS:-}" = 1 ]; then
  cp "$work/workbook-page.png" "$here/docs/workbook-page.png"
  pdftoppm -r 80 -png -f 8 -l 8 -singlefile "$work/sample.pdf" "$here/docs/workbook-notes-page"
fi
echo "ok: the workbook prints on $pages landscape pages, one page wide, in words"
echo "LibreOffice: $(soffice --version)"
