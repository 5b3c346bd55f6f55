#!/usr/bin/env bash
# Kills a large crs import (20,000 rows, one commit, its records streamed into packs)
# with SIGKILL at random moments and checks, after every kill:
#   - git fsck --strict finds nothing wrong;
#   - HEAD is either the commit before the import or the whole import (20,000 more
#     records), never anything between;
#   - after the next crs write (crs check, then the import again), git status is
#     clean, no pack of the killed import is left in crs's folder, and HEAD holds
#     the whole import;
# and at the end that git gc works, and how much room the packs take beside what a
# plain git add of the same files takes.
#
# Usage: scripts/import-kill-test.sh [KILLS] [ROWS]   (default 30 kills, 20000 rows)
# CRS names the binary (default target/release/crs; built if missing). Each kill
# waits a random time between 0 and the time of one whole import.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-30}
rows=${2:-20000}
crs=${CRS:-${CARGO_TARGET_DIR:-$PWD/target}/release/crs}
[ -x "$crs" ] || cargo build --locked --quiet --release

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 TZ=UTC
export GIT_AUTHOR_NAME="Kill Test" GIT_AUTHOR_EMAIL=kill@test.example
export GIT_COMMITTER_NAME="Kill Test" GIT_COMMITTER_EMAIL=kill@test.example
export SOURCE_DATE_EPOCH=1795435200
mkdir -p "$HOME"

# A sheet of $rows rows, 50 services a provider.
sheet=$work/sheet.csv
awk -v n="$rows" 'BEGIN {
  print "Provider code,Provider,Type,Service,Description,Date designated,Ground 1 (no alternative),Ground 2 (inequalities),Ground 3 (dependent),Written request,Status,Review date"
  providers = int(n / 50); if (providers < 1) providers = 1
  for (i = 0; i < n; i++) {
    p = sprintf("RA%03d", i % providers)
    printf "%s,Generated Example NHS Foundation Trust %s,FT,Service %d: consultant-led unit,Obstetric unit at the main site number %d,05/03/2019,Y,N,Y,01/04/2019,Designated,01/02/2099\n", p, p, i, i
  }
}' > "$sheet"
map=$work/map.toml
cat > "$map" <<'EOF'
header_row = 1
date_formats = ["%d/%m/%Y"]
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Description" = "service.description"
"Date designated" = "decision.decided_on"
"Ground 1 (no alternative)" = "grounds.no-alternative-provider"
"Ground 2 (inequalities)" = "grounds.health-inequalities"
"Ground 3 (dependent)" = "grounds.dependent-services"
"Written request" = "event.written-request-sent"
"Status" = "status"
"Review date" = "review.next_due"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
EOF

new_register() {
  rm -rf "$1"
  mkdir -p "$1"
  (cd "$1" && git init -q -b main &&
    "$crs" -q init --commissioner-ods QKK --commissioner-name "NHS South East London ICB" \
      --contact crs@selondon.icb.example)
}

# One whole import, timed, as the longest a kill waits.
new_register "$work/whole"
start=$(date +%s%N)
(cd "$work/whole" && "$crs" -q import "$sheet" --map "$map" > /dev/null)
whole_ms=$(( ($(date +%s%N) - start) / 1000000 ))
records=$(cd "$work/whole" && git ls-files | grep -c '\.toml$')
echo "one whole import of $rows rows: ${whole_ms} ms, $records files"

fail() {
  echo "import kill test: FAILED after kill $kill (at ${wait_ms} ms): $*" >&2
  exit 1
}

reg=$work/register
finished=0
undone=0
for kill in $(seq 1 "$kills"); do
  new_register "$reg"
  cd "$reg"
  before=$(git rev-parse HEAD)
  wait_ms=$(( RANDOM * 32768 + RANDOM ))
  wait_ms=$(( wait_ms % (whole_ms + 1) ))
  "$crs" -q import "$sheet" --map "$map" > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  fsck=$(git fsck --strict --no-dangling 2>&1) || fail "git fsck: $fsck"
  [ -z "$fsck" ] || fail "git fsck: $fsck"
  head=$(git rev-parse HEAD)
  if [ "$head" = "$before" ]; then
    undone=$((undone + 1))
  else
    [ "$(git rev-parse HEAD~1)" = "$before" ] || fail "HEAD is neither the old commit nor one after it"
    n=$(git ls-tree -r --name-only HEAD | grep -c '\.toml$')
    [ "$n" = "$records" ] || fail "HEAD holds $n files, not the $records of the whole import"
    finished=$((finished + 1))
  fi
  # The next write mends what was left (crs check only reads; the import writes).
  "$crs" -q check > /dev/null 2>&1 || true
  "$crs" -q import "$sheet" --map "$map" > /dev/null 2>&1 || fail "the next import failed"
  status=$(git status --porcelain --untracked-files=all)
  [ -z "$status" ] || fail "git status after the next write: $(echo "$status" | head -5)"
  [ ! -d .git/crs/packs ] || [ -z "$(ls -A .git/crs/packs)" ] || fail "packs left in crs's folder"
  n=$(git ls-tree -r --name-only HEAD | grep -c '\.toml$')
  [ "$n" = "$records" ] || fail "after the next import HEAD holds $n files, not $records"
  fsck=$(git fsck --strict --no-dangling 2>&1) || fail "git fsck after the next import: $fsck"
  cd "$work"
done
echo "$kills kills: $finished left the whole import, $undone left the register as it was; all mended"

# Room taken: crs's packs, the same after git gc, and a plain git add of the files.
cd "$work/whole"
crs_kib=$(du -sk .git | cut -f1)
git gc -q || { echo "import kill test: FAILED: git gc" >&2; exit 1; }
git fsck --strict --no-dangling > /dev/null 2>&1 || { echo "import kill test: FAILED: git fsck after git gc" >&2; exit 1; }
gc_kib=$(du -sk .git | cut -f1)
mkdir "$work/plain"
git ls-files | tar -cf - -T - | (cd "$work/plain" && tar -xf -)
cd "$work/plain"
git init -q -b main
git add -A
plain_kib=$(du -sk .git | cut -f1)
plain_objects=$(git count-objects -v | awk '/^size:/ {print $2}')
echo "room: crs import ${crs_kib} KiB (.git); after git gc ${gc_kib} KiB; plain git add ${plain_kib} KiB (.git, loose objects ${plain_objects} KiB)"
[ "$crs_kib" -le $((2 * plain_kib)) ] || { echo "import kill test: FAILED: the import's .git is over twice a plain git add's" >&2; exit 1; }
echo "import kill test: passed"
