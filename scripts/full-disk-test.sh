#!/usr/bin/env bash
# Runs crs writes on a register kept on a tiny tmpfs filled to within a few bytes to
# a few hundred KiB of full, and checks that each write either succeeds for real
# (the commit is in the object database and the branch points at it) or fails with a
# non-zero exit, the branch unmoved and the record as it was. Then frees the space and
# checks that the next write succeeds. Then the same writes with their stdout and
# stderr on a full disk (a cron job's log): the exit status follows the branch (0 once
# it moved, though nothing could be printed) and a re-run never records twice. Last,
# with $TMPDIR on a full disk: every command fails with a message or succeeds, never
# panics, and its exit status follows the branch. Needs root (to mount the tmpfs).
#
# Usage: scripts/full-disk-test.sh        CRS names the binary (default target/debug/crs)
set -euo pipefail
cd "$(dirname "$0")/.."
crs=${CRS:-$PWD/target/debug/crs}
[ -x "$crs" ] || cargo build --locked --quiet
if [ "$(id -u)" != 0 ]; then
  echo "full-disk test: needs root to mount a tmpfs" >&2
  exit 2
fi

mnt=$(mktemp -d)
mount -t tmpfs -o size=4m tmpfs "$mnt"
# A second, small disk, filled to the last byte: for output and temp files.
full=$(mktemp -d)
mount -t tmpfs -o size=64k tmpfs "$full"
trap 'cd /; umount "$mnt" "$full"; rmdir "$mnt" "$full"' EXIT
head -c 1m /dev/zero > "$full/fill" 2>/dev/null || true
export HOME=$mnt/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 TZ=UTC
export GIT_AUTHOR_NAME="Full Disk" GIT_AUTHOR_EMAIL=full@disk.example
export GIT_COMMITTER_NAME="Full Disk" GIT_COMMITTER_EMAIL=full@disk.example
mkdir -p "$HOME"
reg=$mnt/register
cp -r designations "$reg"
rm -f "$reg/.crs/orgs.csv"
cd "$reg"
git init -q -b main
git add -A
git commit -qm "sample register"

record=RJ1/maternity.toml
failed=0
succeeded=0
# Leave from 0 bytes to 256 KiB free, in steps that hit each stage of a write.
for free in 0 1 512 2048 4096 8192 16384 32768 65536 131072 262144; do
  rm -f "$mnt/fill"
  avail=$(($(stat -f -c '%a * %S' "$mnt")))
  size=$((avail - free))
  [ $size -gt 0 ] && { head -c "$size" /dev/zero > "$mnt/fill" 2>/dev/null || true; }
  head=$(git rev-parse HEAD)
  before=$(cat "$record")
  if out=$("$crs" event RJ1/maternity public-engagement --note "with $free bytes free" 2>&1); then
    # Success must be real: the commit stored and the branch on it.
    git cat-file -e "$(git rev-parse HEAD)^{commit}" || { echo "FAIL ($free free): reported a commit that is not stored: $out"; exit 1; }
    [ "$(git rev-parse HEAD)" != "$head" ] || { echo "FAIL ($free free): exit 0 but the branch did not move: $out"; exit 1; }
    grep -q "with $free bytes free" "$record" || { echo "FAIL ($free free): committed but the record lacks the change"; exit 1; }
    succeeded=$((succeeded + 1))
  else
    code=$?
    [ "$(git rev-parse HEAD)" = "$head" ] || { echo "FAIL ($free free): exit $code but the branch moved: $out"; exit 1; }
    [ "$(cat "$record")" = "$before" ] || { echo "FAIL ($free free): exit $code but the record changed: $out"; exit 1; }
    case $out in
      *"disk is full"* | *"No space left"*) ;;
      *) echo "FAIL ($free free): the message does not say the disk is full: $out"; exit 1 ;;
    esac
    failed=$((failed + 1))
    echo "with $free bytes free: exit $code: $(echo "$out" | head -1)"
  fi
  rm -f "$mnt/fill"
  # With space again, the next write succeeds and the repository is sound.
  "$crs" -q event RJ1/maternity public-engagement --note "after $free" >/dev/null ||
    { echo "FAIL ($free free): the write after freeing space failed"; exit 1; }
  [ -z "$(git status --porcelain)" ] || { echo "FAIL ($free free): git status: $(git status --porcelain)"; exit 1; }
  fsck=$(git fsck --full --no-dangling 2>&1) && [ -z "$fsck" ] || { echo "FAIL ($free free): git fsck: $fsck"; exit 1; }
done
# The same for a write of many files (an import of 40 records: one pack).
cat > "$mnt/map.toml" <<'MAP'
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Ground 1" = "grounds.no-alternative-provider"
[defaults]
"provider.licence" = "licensed"
MAP
{
  echo "Provider code,Provider,Type,Service,Date designated,Ground 1"
  for i in $(seq 40); do echo "RJZ,King's College Hospital NHS Foundation Trust,foundation-trust,Imported service $i,2019-03-01,Yes"; done
} > "$mnt/sheet.csv"
for free in 0 4096 16384 65536; do
  rm -f "$mnt/fill"
  avail=$(($(stat -f -c '%a * %S' "$mnt")))
  size=$((avail - free))
  [ $size -gt 0 ] && { head -c "$size" /dev/zero > "$mnt/fill" 2>/dev/null || true; }
  head=$(git rev-parse HEAD)
  if out=$("$crs" import "$mnt/sheet.csv" --map "$mnt/map.toml" 2>&1); then
    git cat-file -e "$(git rev-parse HEAD)^{commit}" || { echo "FAIL (import, $free free): reported a commit that is not stored"; exit 1; }
    succeeded=$((succeeded + 1))
  else
    code=$?
    [ "$(git rev-parse HEAD)" = "$head" ] || { echo "FAIL (import, $free free): exit $code but the branch moved: $out"; exit 1; }
    [ ! -e RJZ/imported-service-1.toml ] || { echo "FAIL (import, $free free): exit $code but a record was left: $out"; exit 1; }
    failed=$((failed + 1))
    echo "import with $free bytes free: exit $code: $(echo "$out" | grep -m1 error)"
  fi
  rm -f "$mnt/fill"
  [ -z "$(git status --porcelain)" ] || { echo "FAIL (import, $free free): git status: $(git status --porcelain)"; exit 1; }
  fsck=$(git fsck --full --no-dangling 2>&1) && [ -z "$fsck" ] || { echo "FAIL (import, $free free): git fsck: $fsck"; exit 1; }
done
# A full $TMPDIR: the workbook's temporary files go beside the output, so export and
# submit work as before; with the output's own disk full they fail with exit 2 and
# say so, never a panic, and leave no file behind.
tmp=$full
roomy=$(mktemp -d)
TMPDIR=$tmp "$crs" -q export -o "$roomy/crs.xlsx" || { echo "FAIL (full TMPDIR): crs export failed"; exit 1; }
TMPDIR=$tmp "$crs" -q submit --dry-run -o "$roomy/bundle" || { echo "FAIL (full TMPDIR): crs submit --dry-run failed"; exit 1; }
rm -rf "$roomy"
head -c 16M /dev/zero > "$mnt/fill" 2>/dev/null || true
for args in "export -o $mnt/crs.xlsx" "submit --dry-run -o $mnt/bundle"; do
  code=0
  out=$(TMPDIR=$tmp "$crs" $args 2>&1) || code=$?
  [ $code = 2 ] || { echo "FAIL (full disks, crs $args): exit $code, not 2: $out"; exit 1; }
  case $out in
    *panicked*) echo "FAIL (full disks, crs $args): a panic: $out"; exit 1 ;;
  esac
  [ ! -e "$mnt/crs.xlsx" ] && [ -z "$(ls -A "$mnt/bundle" 2>/dev/null)" ] ||
    { echo "FAIL (full disks, crs $args): a file was left"; exit 1; }
  failed=$((failed + 1))
  echo "crs $args with both disks full: exit 2: $(echo "$out" | head -1)"
done
rm -f "$mnt/fill"
[ $failed -gt 0 ] || { echo "FAIL: no write met a full disk; the test did not test anything"; exit 1; }

# Checks, after "$@" ran and exited $code, that the exit status follows the branch:
# 0 when it moved from $head, not 0 when it did not; never a panic (101).
status_follows_branch() {
  local moved
  moved=$([ "$(git rev-parse HEAD)" != "$head" ] && echo yes || echo no)
  [ "$code" != 101 ] || { echo "FAIL ($*): crs panicked"; exit 1; }
  case $code:$moved in
    0:yes | [1-9]*:no) ;;
    *) echo "FAIL ($*): exit $code, but the branch moved: $moved"; exit 1 ;;
  esac
  [ -z "$(git status --porcelain)" ] || { echo "FAIL ($*): git status: $(git status --porcelain)"; exit 1; }
}

# Writes with stdout and stderr on the full disk: each is made, and says so with exit
# 0 though it cannot print a word; run again (as a cron job would), it records once more,
# not twice.
log=$full/cron.log
for write in event submit; do
  head=$(git rev-parse HEAD)
  case $write in
    event)
      note="logged to a full disk"
      code=0; "$crs" event RJ1/maternity public-engagement --note "$note" >"$log" 2>&1 || code=$?
      count=$(grep -c "$note" "$record")
      ;;
    submit)
      code=0; "$crs" submit -o "$mnt/bundle-logged" >"$log" 2>&1 || code=$?
      count=$(git tag -l 'crs/submission/*' | wc -l)
      ;;
  esac
  status_follows_branch "$write with its output on a full disk"
  [ "$code" = 0 ] || { echo "FAIL ($write with its output on a full disk): exit $code"; exit 1; }
  [ "$count" = 1 ] || { echo "FAIL ($write with its output on a full disk): recorded $count times"; exit 1; }
  # Run again where it can print, the submission is found recorded already: nothing
  # more is recorded, and it says so.
  if [ "$write" = submit ]; then
    head=$(git rev-parse HEAD)
    code=0; out=$("$crs" submit -o "$mnt/bundle-logged" 2>&1) || code=$?
    [ "$code" = 0 ] && [ "$(git rev-parse HEAD)" = "$head" ] && [ "$(git tag -l 'crs/submission/*' | wc -l)" = 1 ] ||
      { echo "FAIL (submit run again): exit $code, or it recorded the submission again: $out"; exit 1; }
    case $out in *"recorded already"*) ;; *) echo "FAIL (submit run again): $out"; exit 1 ;; esac
  fi
  echo "$write with stdout and stderr on a full disk: exit $code, recorded once"
  succeeded=$((succeeded + 1))
done
# A command that only reads, and cannot print what it was asked for, fails.
code=0; "$crs" list >"$log" 2>&1 || code=$?
[ "$code" != 0 ] && [ "$code" != 101 ] || { echo "FAIL (crs list with its output on a full disk): exit $code"; exit 1; }

# With $TMPDIR on the full disk: each command fails with a message or succeeds, and
# never panics; a write's exit status follows the branch.
tmp_fails=0
for command in event new export submit; do
  head=$(git rev-parse HEAD)
  code=0
  case $command in
    event) out=$(TMPDIR=$full "$crs" event RJ1/maternity public-engagement --note "temp on a full disk" 2>&1) || code=$? ;;
    submit) out=$(TMPDIR=$full "$crs" submit -o "$mnt/bundle-tmp" 2>&1) || code=$? ;;
    export) out=$(TMPDIR=$full "$crs" export -o "$mnt/export.xlsx" 2>&1) || code=$? ;;
    new)
      out=$(TMPDIR=$full "$crs" new RJ1/temp-full --service "Temp full" --provider-name "Guy's" \
        --provider-kind foundation-trust 2>&1) || code=$?
      ;;
  esac
  if [ "$command" = export ]; then
    # A read: it moves no branch; it fails with a message or writes the workbook.
    [ "$code" != 101 ] || { echo "FAIL (export with TMPDIR on a full disk): crs panicked"; exit 1; }
  else
    status_follows_branch "$command with TMPDIR on a full disk"
  fi
  if [ "$code" != 0 ]; then
    [ -n "$out" ] || { echo "FAIL ($command with TMPDIR on a full disk): exit $code and no message"; exit 1; }
    tmp_fails=$((tmp_fails + 1))
    echo "$command with TMPDIR on a full disk: exit $code: $(echo "$out" | grep -m1 error)"
  else
    [ "$command" != export ] || [ -s "$mnt/export.xlsx" ] || { echo "FAIL (export): exit 0 but no workbook"; exit 1; }
    echo "$command with TMPDIR on a full disk: made"
    succeeded=$((succeeded + 1))
  fi
done
echo "full-disk test: $failed writes refused on a full disk and $succeeded made, every one honest; $tmp_fails refused for a full TMPDIR"
