#!/usr/bin/env bash
# Kills crs writes with SIGKILL at random moments and checks, after every kill, that
# the next crs write mends what was left without anyone deleting anything:
#   - the next write succeeds;
#   - git fsck --full finds nothing wrong;
#   - HEAD, the index and the working files agree (git status shows no record);
#   - someone's unrelated staged change is still staged, byte for byte;
#   - no temp file is left where git add -A would pick it up.
#
# Usage: scripts/crash-test.sh [KILLS_PER_COMMAND]   (default 60: 360 kills in all)
# Commands killed: crs event, crs designate, crs orgs import, crs submit, crs move,
# crs import (40 records a time: the batch path, which writes one pack), and last a
# few kills of an import of 9,000 records (more than one pack), once it packs, once
# it writes files, once it takes git's locks. Then crs init, killed (with strace's
# fault injection) at each of its system calls that change the disk, one after
# another: after each kill the register is either absent, with crs init again making
# it whole, or whole (needs strace; CRS_CRASH_NO_INIT=1 leaves this part out).
# CRS names the binary (default target/debug/crs; built if missing).
# CRS_CRASH_HOOKS=1 installs pre-commit and commit-msg hooks first, so that every
# write takes the path where the hooks run after the files are written and before
# the commit is made (a journal naming no commit yet).
set -euo pipefail
cd "$(dirname "$0")/.."
per_command=${1:-60}
crs=${CRS:-$PWD/target/debug/crs}
[ -x "$crs" ] || cargo build --locked --quiet
fixtures=$PWD/tests/fixtures/ods

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 TZ=UTC
export GIT_AUTHOR_NAME="Crash Test" GIT_AUTHOR_EMAIL=crash@test.example
export GIT_COMMITTER_NAME="Crash Test" GIT_COMMITTER_EMAIL=crash@test.example
mkdir -p "$HOME"
head -n -1 "$fixtures/etr.csv" > "$work/etr-less-one.csv"
reg=$work/register
cp -r designations "$reg"
cd "$reg"
git init -q -b main
git add -A
git commit -qm "sample register"
if [ -n "${CRS_CRASH_HOOKS:-}" ]; then
  printf '#!/bin/sh\nsleep 0.005\n' > .git/hooks/pre-commit
  printf '#!/bin/sh\nprintf "\\nHooked: yes\\n" >> "$1"\n' > .git/hooks/commit-msg
  chmod +x .git/hooks/pre-commit .git/hooks/commit-msg
fi
printf 'unrelated staged work\n' > notes.txt
git add notes.txt
staged=$(git rev-parse :notes.txt)

fail() {
  echo "crash test: FAILED after kill $kills ($what): $*" >&2
  git status --short >&2 || true
  exit 1
}

# Checks the repository after the next write has run.
check_repository() {
  local fsck status
  fsck=$(git fsck --full --no-dangling 2>&1) || fail "git fsck: $fsck"
  [ -z "$fsck" ] || fail "git fsck: $fsck"
  status=$(git status --porcelain --untracked-files=all)
  [ "$status" = "A  notes.txt" ] || fail "git status shows more than the staged work: $status"
  [ "$(git rev-parse :notes.txt)" = "$staged" ] || fail "the staged work changed"
}

# A fresh draft with every stage assessed, ready to be designated, as $id.
draft=0
new_draft() {
  draft=$((draft + 1))
  id=RJ1/crash-$draft
  "$crs" -q new "$id" --service "Crash test service $draft" --provider-name "Guy's and St Thomas'" \
    --provider-kind foundation-trust
  "$crs" -q event "$id" providers-notified --on 2026-01-05
  "$crs" -q event "$id" public-engagement --on 2026-01-06
  for stage in 1 2 3 4; do
    "$crs" -q assess "$id" --stage $stage --met --rationale "assessed" --on 2026-01-10
  done
}

# Runs "$@" in the background and kills it with SIGKILL after a random delay of up
# to $1 milliseconds.
kill_at_random() {
  local max_ms=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % max_ms)))"
  kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)) || true
  wait "$pid" 2>/dev/null || true
}

kills=0
killed=0
started=$(date +%s)
# Two versions of a team's spreadsheet, so that every import changes 40 records.
cat > "$work/map.toml" <<'MAP'
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Decided by" = "decision.decided_by"
"Ground 1" = "grounds.no-alternative-provider"
[defaults]
"provider.licence" = "licensed"
MAP
for version in 1 2; do
  {
    echo "Provider code,Provider,Type,Service,Date designated,Decided by,Ground 1"
    for i in $(seq 40); do
      echo "RJZ,King's College Hospital NHS Foundation Trust,foundation-trust,Imported service $i,2019-03-0$version,Board $version,Yes"
    done
  } > "$work/sheet-$version.csv"
done

for what in event designate orgs-import submit move import; do
  for _ in $(seq "$per_command"); do
    kills=$((kills + 1))
    case $what in
      event) kill_at_random 30 "$crs" event RJ1/maternity public-engagement --note "kill $kills" ;;
      designate)
        new_draft
        kill_at_random 30 "$crs" designate "$id" --by "ICB Board" --review-due 2029-01-01
        ;;
      orgs-import)
        # Two versions of the trusts' file, so that every import changes the cache.
        if [ $((kills % 2)) = 0 ]; then file=$fixtures/etr.csv; else file=$work/etr-less-one.csv; fi
        kill_at_random 30 "$crs" orgs import --kind etr "$file"
        ;;
      submit) kill_at_random 90 "$crs" submit -o "$work/bundle-$kills" ;;
      move)
        # Back and forth between two ids: a rename, one file written, one deleted.
        if [ -f RJ1/adult-critical-care.toml ]; then from=RJ1/adult-critical-care to=RJ1/critical-care-unit
        else from=RJ1/critical-care-unit to=RJ1/adult-critical-care; fi
        kill_at_random 30 "$crs" move "$from" "$to"
        ;;
      import) kill_at_random 60 "$crs" import "$work/sheet-$((kills % 2 + 1)).csv" --map "$work/map.toml" ;;
    esac
    # The next write: it must succeed and mend whatever the kill left.
    out=$("$crs" event RJ1/maternity public-engagement --note "after kill $kills" 2>&1) ||
      fail "the next write failed: $out"
    check_repository
  done
done
# 9,000 records over the foundation trusts the register knows: more objects than a pack.
awk -F, 'NR > 1 && length($1) == 3 && $8 == "" && $3 ~ /FOUNDATION/ && $3 !~ /"/ { code[++n] = $1; name[n] = $3 }
  END { print "Provider code,Provider,Type,Service,Date designated,Decided by,Ground 1"
        for (i = 1; i <= 9000; i++) { k = i % n + 1
          printf "%s,%s,foundation-trust,Large import %d,2019-03-01,Board,Yes\n", code[k], name[k], i } }' \
  .crs/orgs.csv > "$work/large.csv"
# Kills the large import $2 to $3 milliseconds after the file $1 appears.
kill_after_file() {
  "$crs" import "$work/large.csv" --map "$work/map.toml" >/dev/null 2>&1 &
  local pid=$! ms=$(($2 + RANDOM % ($3 - $2 + 1)))
  while [ ! -e "$1" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.005; done
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)) || true
  wait "$pid" 2>/dev/null || true
}
what=large-import
for moment in .git/crs/packs:0:400 .git/crs/journal.json:0:1500 .git/crs/taking-git-locks:0:60; do
  kills=$((kills + 1))
  IFS=: read -r file from to <<< "$moment"
  head=$(git rev-parse HEAD)
  kill_after_file "$file" "$from" "$to"
  moved=$([ "$(git rev-parse HEAD)" != "$head" ] && echo yes || echo no)
  out=$("$crs" event RJ1/maternity public-engagement --note "after kill $kills" 2>&1) ||
    fail "the next write failed: $out"
  check_repository
  [ -z "$(ls -A .git/crs | grep -vx lock)" ] || fail "left in .git/crs: $(ls -A .git/crs)"
  records=$(git ls-files '*/large-import-*.toml' | wc -l)
  case $moved:$records in
    yes:9000 | no:0) ;;
    *) fail "the branch moved: $moved, but $records of 9000 records are committed" ;;
  esac
  # A landed import is taken out again by hand, so that the next one writes every record.
  if [ "$records" != 0 ]; then
    git rm -q -- '*/large-import-*.toml'
    git commit -q -m "take the large import out" -- '*/large-import-*.toml'
  fi
done
if [ -n "${CRS_CRASH_HOOKS:-}" ]; then
  git log -1 --format=%B | grep -q '^Hooked: yes$' || fail "the commit-msg hook did not run"
fi

# crs init, killed at each of its system calls that change what is on disk in turn
# (strace delivers SIGKILL on entry to the Nth call): as many kills as init makes
# such calls. After each, the register is either not there (the next write says so,
# deletes nothing, and crs init again makes it whole) or whole (one commit, nothing
# uncommitted, the next write works); never anything for a human to clear up.
init_kills=0
if [ -z "${CRS_CRASH_HOOKS:-}" ] && [ -z "${CRS_CRASH_NO_INIT:-}" ]; then
  command -v strace >/dev/null || { echo "crash test: needs strace to kill crs init at its system calls" >&2; exit 2; }
  init_args=(init --commissioner-ods QKK --commissioner-name "NHS South East London ICB" --contact crs@selondon.icb.example)
  calls=openat,write,mkdir,rename,link,unlink,symlink,fsync,utimensat
  fresh_folder() { rm -rf "$work/init"; mkdir -p "$work/init"; cd "$work/init"; }
  init_fail() { echo "crash test: FAILED killing crs init at $call number $n: $*" >&2; git status --short --ignored >&2 || true; exit 1; }
  # Checks a register crs init finished, with $1 commits: nothing else is left, and
  # (after init alone) the first write works.
  check_whole_register() {
    [ "$(git rev-list --count HEAD 2>&1)" = "$1" ] || init_fail "not $1 commits: $(git log --oneline 2>&1)"
    [ -f crs.toml ] || init_fail "no crs.toml"
    [ -z "$(git status --porcelain --ignored --untracked-files=all)" ] ||
      init_fail "left besides the register: $(git status --porcelain --ignored --untracked-files=all)"
    [ -z "$(find .git -name '*.lock')" ] || init_fail "git locks left: $(find .git -name '*.lock')"
    [ -z "$(ls -A .git/crs 2>/dev/null | grep -vx lock)" ] || init_fail "left in .git/crs: $(ls -A .git/crs)"
    fsck=$(git fsck --full --no-dangling 2>&1) && [ -z "$fsck" ] || init_fail "git fsck: $fsck"
    if [ "$1" = 1 ]; then
      out=$(first_write) || init_fail "the first write failed: $out"
      check_whole_register 2
    fi
  }
  first_write() {
    "$crs" new RJ1/maternity --service Maternity --provider-name "Guy's" --provider-kind foundation-trust 2>&1
  }
  fresh_folder
  strace -f -qq -e trace=$calls -o "$work/init.trace" "$crs" "${init_args[@]}" >/dev/null 2>&1
  cd "$work"
  for call in ${calls//,/ }; do
    made=$(grep -c " $call(" "$work/init.trace" || true)
    for n in $(seq "$made"); do
      fresh_folder
      # In a subshell of its own, whose stderr takes the shell's "Killed".
      code=$( (strace -f -qq -o /dev/null -e trace=$call -e inject=$call:signal=KILL:when=$n \
        "$crs" "${init_args[@]}" >/dev/null 2>&1; echo $?) 2>/dev/null)
      [ "$code" = 0 ] || init_kills=$((init_kills + 1))
      if [ $((n % 2)) = 0 ]; then
        # Mended by a write: it finishes a register whose commit landed, or says
        # there is none and leaves no record behind.
        if out=$(first_write); then
          check_whole_register 2
        else
          [ ! -e RJ1 ] || init_fail "a write refused for want of a register left RJ1: $out"
          out=$("$crs" "${init_args[@]}" 2>&1) || init_fail "crs init again failed: $out"
          check_whole_register 1
        fi
      else
        # Mended by crs init again: it starts from nothing, or finds the register whole.
        if ! out=$("$crs" "${init_args[@]}" 2>&1); then
          case $out in *"is a register already"*) ;; *) init_fail "crs init again failed: $out" ;; esac
        fi
        check_whole_register 1
      fi
      cd "$work"
    done
  done
  [ $init_kills -gt 0 ] || { echo "crash test: strace killed no crs init; the test did not test anything" >&2; exit 1; }
fi
echo "crash test${CRS_CRASH_HOOKS:+ with hooks}: $kills kills ($killed while crs was still running) and $init_kills of crs init at its system calls, every one mended; $(($(date +%s) - started)) s"
