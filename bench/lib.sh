# Shared helpers for bench/*.sh (sourced, not run).
# Timing, JSON stage durations, ratio table. Needs: bash, date, awk, jq, /usr/bin/time.

BENCH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROMOTE="$BENCH_HOME/bin/promote"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Runs a command, prints its wall-clock seconds on stdout. The command's own output goes to stderr.
timed() {
  local t0 t1
  t0=$(now)
  "$@" >&2 || die "command failed: $*"
  t1=$(now)
  secs "$t0" "$t1"
}

# Seconds one stage took, from a RunReport JSON (stages[].startedAt/endedAt, ISO-8601 with nanoseconds).
stage_secs() { # FILE STAGE
  local v
  v=$(jq -r --arg s "$2" '
    def ts: (.[0:19] + "Z" | fromdateiso8601)
            + ((.[19:] | ltrimstr(".") | rtrimstr("Z")) as $f | if $f == "" then 0 else ("0." + $f | tonumber) end);
    [.stages[] | select(.stage == $s)][0] | if . == null or .endedAt == null then "n/a"
      else ((.endedAt | ts) - (.startedAt | ts)) * 100 | round / 100 | tostring end' "$1")
  if [ "$v" = n/a ]; then echo n/a; else printf '%.2f' "$v"; fi
}

# All stage durations of a report on one line: "preflight 1.20 s, clone 9.80 s, ..."
stage_line() { # FILE
  local s out=""
  for s in $(jq -r '.stages[].stage' "$1"); do
    out+="${s,,} $(stage_secs "$1" "$s") s, "
  done
  printf '%s' "${out%, }"
}

# Peak RSS in MB from a `/usr/bin/time -v -o FILE` output.
peak_rss_mb() { awk -F': *' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

# ratio A B -> "0.73" (or n/a)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# verdict VALUE OP LIMIT -> PASS/MISS (OP is <= or <)
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a" || v == "") { print "n/a"; exit }
    ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0); print ok ? "PASS" : "MISS" }'
}

# PostgreSQL scripts: psql on the maintenance database, identifier quoting, and the EXIT trap that drops every
# database whose name starts with $PFX and removes $WORK.
psql_c() { psql -X -q -v ON_ERROR_STOP=1 -d postgres -Atc "$1"; }
pg_qi() { printf '"%s"' "${1//\"/\"\"}"; }
pg_cleanup() {
  set +e
  local db
  for db in $(psql -X -d postgres -Atc "SELECT datname FROM pg_database WHERE starts_with(datname, '$PFX')"); do
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $(pg_qi "$db") WITH (FORCE)" && log "dropped $db"
  done
  rm -rf "$WORK"
}

# The first pipeline run after a build records bin/promote's class-data sharing archive, which makes that run
# slower and larger (313 MB peak RSS once): a demo run records it before anything is measured.
warm_up() {
  local jar="$BENCH_HOME/promoter/target/promoter-all.jar" jsa="$BENCH_HOME/promoter/target/promoter-all.jsa"
  if [ -z "${PROMOTER_NO_CDS:-}" ] && { [ ! -f "$jsa" ] || [ "$jar" -nt "$jsa" ]; }; then
    log "recording the class-data sharing archive (promote demo)"
    "$PROMOTE" demo --dir "$WORK/warm-up" --sql "$BENCH_HOME/sql" >/dev/null 2>&1 || die "promote demo failed"
  fi
}

# Runs the promote pipeline under /usr/bin/time -v; JSON report to $1.json, time output to $1.time.
# Usage: run_promote PREFIX promote-args...   Sets RUN_WALL (seconds).
run_promote() {
  local prefix="$1"; shift
  local t0 t1 rc
  t0=$(now)
  set +e
  /usr/bin/time -v -o "$prefix.time" "$PROMOTE" --json "$@" > "$prefix.json" 2> "$prefix.err"
  rc=$?
  set -e
  t1=$(now)
  RUN_WALL=$(secs "$t0" "$t1")
  if [ "$rc" -ne 0 ] || [ "$(jq -r .result "$prefix.json" 2>/dev/null)" != PROMOTED ]; then
    cat "$prefix.err" >&2
    jq -r '.message // empty' "$prefix.json" >&2 2>/dev/null || true
    die "promote exited $rc: $*"
  fi
}

# Writes a tiny sql tree: product `bench`, versions 1.0.0 (SELECT 1) .. 1.4.0 (one new table each).
make_tree() { # DIR DIALECT
  local d="$1/bench" dialect="$2" k name
  mkdir -p "$d/1.0.0/$dialect"
  echo 'SELECT 1;' > "$d/1.0.0/$dialect/migration.sql"
  for (( k = 1; k <= 4; k++ )); do
    name=bench_note$k; [ "$k" = 1 ] && name=bench_note
    mkdir -p "$d/1.$k.0/$dialect"
    echo "CREATE TABLE $name (id int primary key);" > "$d/1.$k.0/$dialect/migration.sql"
    echo "new_tables: [$name]" > "$d/1.$k.0/checkpoints.yaml"
  done
}

# median VALUE... -> the middle value (mean of the two middle ones for an even count), two decimals
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# spread VALUE... -> "min-max"
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

# After run_promote BASE ...: sets <VAR>_switch (ms), <VAR>_rss (MB) and <VAR>_cpu (s) from BASE.json/BASE.time.
read_run() { # BASE VAR
  printf -v "$2_switch" '%s' "$(jq -r '.switchWindowMillis // "n/a"' "$1.json")"
  printf -v "$2_rss" '%s' "$(peak_rss_mb "$1.time")"
  printf -v "$2_cpu" '%s' "$(tool_cpu "$1.time")"
}

table_header() { printf '\n%-46s %12s %10s %8s\n' "measure" "value" "target" "verdict"; printf '%.0s-' {1..80}; echo; }
table_row() { printf '%-46s %12s %10s %8s\n' "$1" "$2" "$3" "$4"; }

machine_line() {
  printf 'machine: %s CPUs, %s MB RAM, %s' "$(nproc)" "$(free -m | awk '/^Mem:/ { print $2 }')" "$(uname -sr)"
}

# CPU-seconds the whole machine has been busy (all cores; /proc/stat user+nice+system+irq+softirq+steal).
cpu_busy() { awk '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / 100 }' /proc/stat; }
# CPU-seconds (user+sys) of the process measured by /usr/bin/time -v.
tool_cpu() { awk -F': *' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }
# The N slowest checkpoints of a report: "content of t unchanged 812 ms, ..."
slow_checkpoints() { # FILE N
  jq -r --argjson n "${2:-5}" '[.checkpoints | sort_by(-.millis) | .[0:$n][] | "\(.name) \(.millis) ms"] | join(", ")' "$1"
}
# 1-minute load average, to flag a busy machine (other processes skew every number).
load_avg() { cut -d' ' -f1 /proc/loadavg; }

# The two timed runs both scripts make, on a tree made by make_tree in $WORK/sql: (c) --skip-backup to SKIP_TO
# and (d) the full pipeline to FULL_TO (1.1.0 and 1.2.0, live stamped at 1.0.0 first, unless both are given:
# live is then at the version before SKIP_TO already). URL USER DROP [SETTLE [SKIP_TO FULL_TO]]: DROP is a
# command that drops the database named by its argument (each run's archive), SETTLE one run before each (e.g. a
# CHECKPOINT). Sets common, clone, skip_wall, full_wall, backup, full_stages, busy0..busy3, and read_run's skip_*
# and full_*.
clone_and_full_runs() {
  local url=$1 user=$2 drop=$3 settle=${4:-true} skip_to=${5:-} full_to=${6:-}
  common=(--sql "$WORK/sql" --url "$url" --user "$user" --report-dir "$WORK/reports" --verify --allow-drift)
  if [ -z "$skip_to" ]; then
    skip_to=1.1.0 full_to=1.2.0
    "$PROMOTE" stamp 1.0.0 --sql "$WORK/sql" --url "$url" --user "$user" >&2
  fi
  $settle
  log "(c) promote --verify --skip-backup --to $skip_to"
  busy0=$(cpu_busy)
  run_promote "$WORK/skip" "${common[@]}" --skip-backup --to "$skip_to"
  busy1=$(cpu_busy)
  skip_wall=$RUN_WALL
  clone=$(stage_secs "$WORK/skip.json" CLONE)
  read_run "$WORK/skip" skip
  log "stages: $(stage_line "$WORK/skip.json")"
  $drop "$(jq -r .archiveDatabase "$WORK/skip.json")"

  $settle
  log "(d) promote --verify --to $full_to (with backup)"
  busy2=$(cpu_busy)
  rm -rf "$WORK/backups"
  run_promote "$WORK/full" "${common[@]}" --backup-dir "$WORK/backups" --to "$full_to"
  busy3=$(cpu_busy)
  full_wall=$RUN_WALL
  read_run "$WORK/full" full
  backup=$(stage_secs "$WORK/full.json" BACKUP)
  full_stages=$(stage_line "$WORK/full.json")
  log "stages: $full_stages"
  $drop "$(jq -r .archiveDatabase "$WORK/full.json")"
}
