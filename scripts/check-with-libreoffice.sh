#!/usr/bin/env bash
# Run by .ci/run: LibreOffice opens crs's workbooks, reads every sheet of them as crs
# wrote them, runs none of the formula-like text, and prints them to PDF: landscape,
# every word at 8 pt or larger (measured with pdftotext -bbox), the pages of each
# sheet counted; the first page becomes a PNG image.
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
    -e 's/^reference = "Board minute BD\/25\/031"/reference = "+1+1"/' \
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
  for sheet in Designations Assessments Changes History Notes About; do
    [ -s "$work/$reg-$sheet.csv" ] || fail "LibreOffice did not read sheet $sheet of $reg.xlsx"
  done
  [ -s "$work/resaved/$reg.xlsx" ] || fail "LibreOffice could not re-save $reg.xlsx"
  # 3. The designations sheet, as LibreOffice reads it, holds crs's rows: the same
  #    headings and, in every column that holds neither words for a code nor a date,
  #    crs's own CSV cell for cell (crs's CSV quotes formula-like text with ' ;
  #    LibreOffice shows the text itself). The workbook heads each section with a
  #    row of its own after a blank row; the CSV has neither.
  python3 - "$work/$reg-Designations.csv" "$work/$reg-crs.csv" <<'PY' \
    || fail "$reg: LibreOffice reads the designations sheet differently from crs's CSV"
import csv, re, sys
office = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
crs = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
headings = [r for r in office[1:] if r[0].startswith(("In force:", "Pending:", "Removed:", "Other:")) and not any(r[1:])]
assert len(headings) >= 1, "no section heading rows"
office = [r for r in office if any(r) and r not in headings]
# The section is the heading over its rows in the workbook, a column in the CSV.
at = crs[0].index("Section")
crs = [r[:at] + r[at + 1:] for r in crs]
assert office[0] == crs[0], (office[0], crs[0])
assert len(office) == len(crs), (len(office), len(crs))
worded = {"Section", "Provider type", "Provider licence", "Status", "Decision"}
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
  # The Assessments sheet: a line for each stage of each record.
  head -1 "$work/$reg-Assessments.csv" | grep -q '^Record id,Stage,Met,Rationale,Evidence,Date assessed,Assessed by' \
    || fail "$reg: the Assessments sheet's headings are not crs's"
  echo "ok: $reg.xlsx: 6 sheets read, designations identical to crs's CSV, re-saved as xlsx"
done

# 4. The formula-like text stayed text: the cell shows the formula's text, not "y" or 2.
grep -q '"=HYPERLINK(""http://x"",""y"")"' "$work/formula-Designations.csv" \
  || fail "the HYPERLINK text was not kept as text"
grep -q ',+1+1,' "$work/formula-History.csv" || fail "+1+1 was not kept as text"
echo "ok: formula-like text is shown as text, not run"

# 5. In the workbook LibreOffice re-saved, the dates are still numbers (real dates),
#    and no cell holds a formula.
python3 - "$work/resaved/sample.xlsx" "$work/resaved/formula.xlsx" <<'PY' || fail "dates or formulas changed"
import re, sys, zipfile
for path in sys.argv[1:]:
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    # K: the date of the decision to designate, of the first record (row 2 heads
    # the section).
    cell = re.search(r'<c r="K3"([^>]*)>(.*?)</c>', xml)
    assert cell and 't="s"' not in cell.group(1) and "<v>" in cell.group(2), f"{path}: K3 is not a number"
    assert "<f>" not in xml and "<f " not in xml, f"{path}: a formula"
print("ok: after LibreOffice re-saves the workbooks, dates are numbers and there are no formulas")
PY

# 6. Printed: every page landscape, every word at 8 pt or larger, the header row and
#    the sheet's name on each page; the pages of each sheet counted (the sample's
#    designations, 10 services in three sections across 28 columns, too wide for
#    one page of A3 at 8 pt, on 2 pages across and 2 down at about 10.3 pt, each page
#    beginning with the record id, provider and service, and every section heading
#    on a page whole, none cut where the page's own columns begin; its assessments, 40
#    stages, on 8 of A4); the first page becomes a PNG.
(cd "$work" && soffice --headless --convert-to pdf sample.xlsx >/dev/null 2>&1)
pages="$(pdfinfo "$work/sample.pdf" | awk '/^Pages:/ {print $2}')"
for page in $(seq 1 "$pages"); do
  size="$(pdfinfo -f "$page" -l "$page" "$work/sample.pdf" | awk '/size:/ {print $4, $6}')"
  awk -v s="$size" 'BEGIN { split(s, p, " "); exit !(p[1] > p[2]) }' || fail "page $page is not landscape ($size)"
done
pdftotext -bbox "$work/sample.pdf" "$work/sample-words.html"
python3 - "$work/sample-words.html" "$work/sample-pages.txt" <<'PY' || fail "the printed workbook has text below 8 pt"
import re, sys
# pdftotext -bbox boxes a word from the font's ascent to its descent: 1.3 em for
# the fonts LibreOffice prints these sheets in (the About sheet, 11 pt at 100 %,
# measures 14.3 pt), so a word's size is its box's height / 1.3.
EM = 1.3
# The section headings of the designations, as crs writes them.
HEADINGS = [
    "In force: designated, or under review with the designation in place",
    "Pending: requested, refused or referred, not yet CRS",
    "Removed: designations removed, with the day of the removal decision",
]
pages = re.split(r"<page ", open(sys.argv[1], encoding="utf-8").read())[1:]
sheet_of, smallest = [], {}
for n, page in enumerate(pages, 1):
    words = [(float(a), float(b), w) for a, b, w in
             re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)]
    text = " ".join(w for _, _, w in words)
    name = re.search(r"Services: (\w+)", text)
    assert name, f"page {n} has no sheet name in its header"
    sheet_of.append(name.group(1))
    if name.group(1) == "Designations":
        assert re.search(r">Record</word>.*?>id</word>.*?>Service</word>", page, re.S), \
            f"page {n} of the designations does not begin with the record id and service"
        printed = [w for _, _, w in words]
        for heading in HEADINGS:
            start = heading.split()[:2]
            if any(printed[i:i + 2] == start for i in range(len(printed))):
                cut = [w for w in heading.split() if w not in printed]
                assert not cut, f"page {n} cuts the heading {heading!r}: {cut} not printed"
    size = min((b - a) / EM for a, b, _ in words)
    smallest[name.group(1)] = min(size, smallest.get(name.group(1), 99))
about = [(float(b) - float(a)) / EM for a, b, _ in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(Register)<', pages[-1])]
assert about and abs(about[0] - 11) < 0.3, f"the About sheet's 11 pt measures {about}: the 1.3 em no longer holds"
with open(sys.argv[2], "w") as out:
    for name in dict.fromkeys(sheet_of):
        count = sheet_of.count(name)
        print(f"{name} {count} {smallest[name]:.2f}", file=out)
        print(f"  {name}: {count} page(s), smallest text {smallest[name]:.2f} pt")
bad = {name: size for name, size in smallest.items() if size < 8}
assert not bad, f"text below 8 pt: {bad}"
PY
pages_of() { awk -v s="$1" '$1 == s {print $2}' "$work/sample-pages.txt"; }
[ "$(pages_of Designations)" = 4 ] || fail "the Designations sheet prints on $(pages_of Designations) pages, not 4"
[ "$(pages_of Assessments)" = 8 ] || fail "the Assessments sheet prints on $(pages_of Assessments) pages, not 8"
text="$(pdftotext -layout "$work/sample.pdf" -)"
for words in "Commissioner Requested Services: Designations" "In force: designated" "Under review" "10 Feb 2026" \
    "Date removed" "Board minute BD/26/014" "Commissioner Requested Services: Assessments" \
    "Stage 1: Alternative provision" "Commissioner Requested Services: History" \
    "Refusal found unreasonable" "Commissioner Requested Services: Notes" "Page 1 of $pages"; do
  grep -qF "$words" <<<"$text" || fail "the printed workbook lacks \"$words\""
done
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$work/sample.pdf" "$work/workbook-page"
[ -s "$work/workbook-page.png" ] || fail "no PNG of the first page"
if [ "${UPDATE_DOCS:-}" = 1 ]; then
  cp "$work/workbook-page.png" "$here/docs/workbook-page.png"
  notes="$(awk '$1 == "Notes" {print first + 1; exit} {first += $2}' "$work/sample-pages.txt")"
  pdftoppm -r 80 -png -f "$notes" -l "$notes" -singlefile "$work/sample.pdf" "$here/docs/workbook-notes-page"
fi
echo "ok: the workbook prints on $pages landscape pages, every word 8 pt or larger, in words"
echo "LibreOffice: $(soffice --version)"
