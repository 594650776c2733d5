#!/usr/bin/env bash
# PostgreSQL benchmark: our online clone and full pipeline against pg_dump | pg_restore, in one run.
# Usage: bench/postgres.sh [SCALE]     (pgbench scale; default 50 = about 750 MB)
#        PGBENCH_INIT_OPTS="--partitions=4 -F 80" bench/postgres.sh   (extra pgbench -i options)
# Server: 127.0.0.1:5432, user postgres, trust (override with PGHOST/PGPORT/PGUSER).
# See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCALE="${1:-50}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL_BASE="jdbc:postgresql://$PGHOST:$PGPORT"
PFX="bench_pg_$$"
LIVE="${PFX}_live"
WORK="$(mktemp -d /tmp/promoter-bench-pg.XXXXXX)"

trap pg_cleanup EXIT
trap 'exit 130' INT TERM
load0=$(load_avg)

[ -f "$BENCH_HOME/promoter/target/promoter-all.jar" ] || (cd "$BENCH_HOME" && ./mvnw -q -o -DskipTests package)
warm_up
command -v pgbench >/dev/null || die "pgbench is not installed"

log "generating: pgbench -i -s $SCALE into $LIVE"
psql_c "CREATE DATABASE $(pg_qi "$LIVE")"
# shellcheck disable=SC2086 # word splitting of the extra options is wanted
gen=$(timed pgbench -i -q -I dtGvp ${PGBENCH_INIT_OPTS:-} -s "$SCALE" "$LIVE")
size_mb=$(psql_c "SELECT round(pg_database_size('$LIVE') / 1048576.0)")
rows=$(psql -X -d "$LIVE" -Atc "SELECT sum(reltuples)::bigint FROM pg_class WHERE relname LIKE 'pgbench%' AND relkind = 'r'")
log "generated $size_mb MB, $rows rows in $gen s"

# (a) baseline: custom-format dump without compression piped into pg_restore (database created first)
psql_c "CHECKPOINT"
log "(a) pg_dump -Fc -Z0 | pg_restore"
dump=$(timed bash -o pipefail -c "psql -X -q -d postgres -c 'CREATE DATABASE \"${PFX}_dump\"' \
  && pg_dump -Fc -Z0 -d '$LIVE' | pg_restore --no-owner --exit-on-error -d '${PFX}_dump'")
restored=$(psql -X -d "${PFX}_dump" -Atc "SELECT count(*) FROM pgbench_accounts")
[ "$restored" = "$(( SCALE * 100000 ))" ] || die "the baseline restored $restored pgbench_accounts rows, not $(( SCALE * 100000 ))"
psql_c "DROP DATABASE $(pg_qi "${PFX}_dump")"

# (b) near-physical limit: a file copy of live (needs live without other sessions)
psql_c "CHECKPOINT"
log "(b) CREATE DATABASE TEMPLATE live STRATEGY FILE_COPY"
tmpl=$(timed psql_c "CREATE DATABASE $(pg_qi "${PFX}_tmpl") TEMPLATE $(pg_qi "$LIVE") STRATEGY FILE_COPY")
psql_c "DROP DATABASE $(pg_qi "${PFX}_tmpl")"

# (c) our online clone: clone stage of promote --verify --skip-backup; (d) our full pipeline, backup included
make_tree "$WORK/sql" postgresql
URL="$URL_BASE/$LIVE"
drop_db() { psql_c "DROP DATABASE $(pg_qi "$1")"; }
checkpoint() { psql_c "CHECKPOINT"; }
clone_and_full_runs "$URL" "$PGUSER" drop_db checkpoint

# (e) the template clone strategy: clone stage of a --skip-backup run, then a full run with backup
psql_c "CHECKPOINT"
log "(e) promote --verify --clone-strategy template --skip-backup --to 1.3.0"
run_promote "$WORK/tskip" "${common[@]}" --clone-strategy template --skip-backup --to 1.3.0
tclone=$(stage_secs "$WORK/tskip.json" CLONE)
log "stages: $(stage_line "$WORK/tskip.json")"
psql_c "DROP DATABASE $(pg_qi "$(jq -r .archiveDatabase "$WORK/tskip.json")")"
psql_c "CHECKPOINT"
log "(e) promote --verify --clone-strategy template --to 1.4.0 (with backup)"
run_promote "$WORK/tfull" "${common[@]}" --clone-strategy template --backup-dir "$WORK/backups2" --to 1.4.0
tfull_wall=$RUN_WALL
tfull_stages=$(stage_line "$WORK/tfull.json")
tfull_switch=$(jq -r '.switchWindowMillis // "n/a"' "$WORK/tfull.json")
log "stages: $tfull_stages"
psql_c "DROP DATABASE $(pg_qi "$(jq -r .archiveDatabase "$WORK/tfull.json")")"

max_switch=$(awk -v a="$skip_switch" -v b="$full_switch" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
max_rss=$(awk -v a="$skip_rss" -v b="$full_rss" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
r_clone=$(ratio "$clone" "$dump"); r_full=$(ratio "$full_wall" "$dump"); r_tmpl=$(ratio "$tmpl" "$dump")
r_tclone=$(ratio "$tclone" "$tmpl"); r_tfull=$(ratio "$tfull_wall" "$dump")

echo
echo "PostgreSQL benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "$(machine_line); $(psql_c 'SHOW server_version')"
echo "data: pgbench scale $SCALE${PGBENCH_INIT_OPTS:+ ($PGBENCH_INIT_OPTS)}, database $size_mb MB ($rows rows), generated in $gen s"
table_header
table_row "(a) pg_dump -Fc -Z0 | pg_restore (baseline)" "$dump s" "" ""
table_row "(b) CREATE DATABASE ... STRATEGY FILE_COPY" "$tmpl s" "" ""
table_row "(c) online clone (clone stage)" "$clone s" "" ""
table_row "    whole --skip-backup run" "$skip_wall s" "" ""
table_row "(d) full promote --verify (with backup)" "$full_wall s" "" ""
table_row "    of which backup stage" "$backup s" "" ""
table_row "(e) template clone (clone stage)" "$tclone s" "" ""
table_row "    full promote --verify, template, with backup" "$tfull_wall s" "" ""
table_row "ratio online clone / dump-pipe" "$r_clone" "<= 0.85" "$(verdict "$r_clone" '<=' 0.85)"
table_row "ratio full pipeline / dump-pipe" "$r_full" "<= 1.0" "$(verdict "$r_full" '<=' 1.0)"
table_row "ratio FILE_COPY / dump-pipe (reference)" "$r_tmpl" "" ""
table_row "ratio template clone / raw FILE_COPY" "$r_tclone" "<= 1.3" "$(verdict "$r_tclone" '<=' 1.3)"
table_row "ratio full pipeline (template) / dump-pipe" "$r_tfull" "<= 0.5" "$(verdict "$r_tfull" '<=' 0.5)"
table_row "(g) switch window, max of 2 online runs (ms)" "$max_switch" "< 250" "$(verdict "$max_switch" '<' 250)"
table_row "(f) peak RSS of the tool, max of 2 runs (MB)" "$max_rss" "< 300" "$(verdict "$max_rss" '<' 300)"
echo
echo "where time goes (2 cores = $(( $(nproc) ))x wall of CPU capacity):"
echo "  --skip-backup run: wall $skip_wall s, tool CPU $skip_cpu s, machine busy $(secs "$busy0" "$busy1") CPU-s (rest ≈ server + others); switch ${skip_switch} ms; RSS ${skip_rss} MB"
echo "  full run:          wall $full_wall s, tool CPU $full_cpu s, machine busy $(secs "$busy2" "$busy3") CPU-s; switch ${full_switch} ms; RSS ${full_rss} MB"
echo "  full run stages:   $full_stages"
echo "  template full run: $tfull_stages; switch ${tfull_switch} ms"
echo "  slowest checkpoints (full run): $(slow_checkpoints "$WORK/full.json" 5)"
echo "  machine load average: $load0 before the run, $(load_avg) at the end (other processes skew every number)"
