#!/usr/bin/env bash
# A manual check, not part of the test suite: LibreOffice opens crs's workbooks, reads
# every sheet of them as crs wrote them, and runs none of the formula-like text.
# Needs LibreOffice (Debian: apt-get install -y libreoffice-calc-nogui) and a built crs.
# Usage: scripts/check-with-libreoffice.sh [path/to/crs]   (default: target/debug/crs)
set -euo pipefail
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
  "$crs" --register "$work/$reg" --quiet export -o "$work/$reg.xlsx"
  "$crs" --register "$work/$reg" --quiet export --format csv -o "$work/$reg-crs.csv"
done

# 2. LibreOffice converts every sheet to CSV (UTF-8, the last field -1 = all sheets),
#    and re-saves the workbook as xlsx: both fail if it cannot load the file.
for reg in sample formula; do
  (cd "$work" && soffice --headless --convert-to \
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' "$reg.xlsx" >/dev/null 2>&1)
  (cd "$work" && soffice --headless --convert-to xlsx --outdir resaved "$reg.xlsx" >/dev/null 2>&1)
  for sheet in Designations Changes About; do
    [ -s "$work/$reg-$sheet.csv" ] || fail "LibreOffice did not read sheet $sheet of $reg.xlsx"
  done
  [ -s "$work/resaved/$reg.xlsx" ] || fail "LibreOffice could not re-save $reg.xlsx"
  # 3. The designations sheet, as LibreOffice reads it, is crs's own CSV cell for cell
  #    (crs's CSV quotes formula-like text with ' ; LibreOffice shows the text itself).
  sed -E "s/(^|,)(\"?)'([-=+@])/\1\2\3/g" "$work/$reg-crs.csv" | tr -d '\r' > "$work/$reg-crs-plain.csv"
  diff <(tr -d '\r' < "$work/$reg-Designations.csv") "$work/$reg-crs-plain.csv" \
    || fail "$reg: LibreOffice reads the designations sheet differently from crs's CSV"
  echo "ok: $reg.xlsx: 3 sheets read, designations identical to crs's CSV, re-saved as xlsx"
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
    cell = re.search(r'<c r="P2"([^>]*)>(.*?)</c>', xml)
    assert cell and 't="s"' not in cell.group(1) and "<v>" in cell.group(2), f"{path}: P2 is not a number"
    assert "<f>" not in xml and "<f " not in xml, f"{path}: a formula"
print("ok: after LibreOffice re-saves the workbooks, dates are numbers and there are no formulas")
PY
echo "LibreOffice: $(soffice --version)"
