#!/usr/bin/env bash
# PostgreSQL benchmark: our online clone and full pipeline against pg_dump | pg_restore, in one run.
# Usage: bench/postgres.sh [SCALE]     (pgbench scale; default 50 = about 750 MB)
#        PGBENCH_INIT_OPTS="--partitions=4 -F 80" bench/postgres.sh   (extra pgbench -i options)
#        ROUNDS=3 bench/postgres.sh       (every measurement 3 times, interleaved; medians and each round's line)
# Server: 127.0.0.1:5432, user postgres, trust (override with PGHOST/PGPORT/PGUSER).
# See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCALE="${1:-50}"
ROUNDS="${ROUNDS:-1}"
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || { echo "ROUNDS must be a whole number from 1 to 99, not '$ROUNDS'" >&2; exit 2; }
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

make_tree "$WORK/sql" postgresql
URL="$URL_BASE/$LIVE"
drop_db() { psql_c "DROP DATABASE $(pg_qi "$1")"; }
checkpoint() { psql_c "CHECKPOINT"; }
# Puts live back at 1.0.0 for the next round: the tables 1.1.0 to 1.4.0 made and their lines of live's Liquibase
# history go, and the ledger is stamped at 1.0.0 again, so that every round runs the same four steps (a fresh
# install, which verify builds from nothing, grows with the chain).
back_to_oldest() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$LIVE" -c "SET client_min_messages = warning" \
    -c "DELETE FROM databasechangelog WHERE id NOT LIKE '1.0.0/%'" \
    -c "DROP TABLE IF EXISTS bench_note, bench_note2, bench_note3, bench_note4"
  "$PROMOTE" stamp 1.0.0 --sql "$WORK/sql" --url "$URL" --user "$PGUSER" >&2
}
"$PROMOTE" stamp 1.0.0 --sql "$WORK/sql" --url "$URL" --user "$PGUSER" >&2

# Each round measures everything once, in this order, so that each round's ratios compare runs made minutes apart;
# each takes live from 1.0.0 to 1.4.0 in four runs.
rounds=()
for (( r = 1; r <= ROUNDS; r++ )); do
  if [ "$ROUNDS" -gt 1 ]; then
    log "round $r of $ROUNDS"
    [ "$r" -gt 1 ] && back_to_oldest
  fi

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
  clone_and_full_runs "$URL" "$PGUSER" drop_db checkpoint 1.1.0 1.2.0

  # (e) the template clone strategy: clone stage of a --skip-backup run, then a full run with backup
  psql_c "CHECKPOINT"
  log "(e) promote --verify --clone-strategy template --skip-backup --to 1.3.0"
  run_promote "$WORK/tskip" "${common[@]}" --clone-strategy template --skip-backup --to 1.3.0
  tclone=$(stage_secs "$WORK/tskip.json" CLONE)
  log "stages: $(stage_line "$WORK/tskip.json")"
  psql_c "DROP DATABASE $(pg_qi "$(jq -r .archiveDatabase "$WORK/tskip.json")")"
  psql_c "CHECKPOINT"
  log "(e) promote --verify --clone-strategy template --to 1.4.0 (with backup)"
  rm -rf "$WORK/backups2"
  run_promote "$WORK/tfull" "${common[@]}" --clone-strategy template --backup-dir "$WORK/backups2" --to 1.4.0
  tfull_wall=$RUN_WALL
  tfull_stages=$(stage_line "$WORK/tfull.json")
  tfull_switch=$(jq -r '.switchWindowMillis // "n/a"' "$WORK/tfull.json")
  log "stages: $tfull_stages"
  psql_c "DROP DATABASE $(pg_qi "$(jq -r .archiveDatabase "$WORK/tfull.json")")"

  # one line per round: the raw values and this round's ratios
  rounds+=("$dump $tmpl $clone $skip_wall $full_wall $backup $tclone $tfull_wall $(ratio "$clone" "$dump") \
$(ratio "$full_wall" "$dump") $(ratio "$tclone" "$tmpl") $(ratio "$tfull_wall" "$dump") \
$(awk -v a="$skip_switch" -v b="$full_switch" 'BEGIN { print (a + 0 > b + 0) ? a : b }') \
$(awk -v a="$skip_rss" -v b="$full_rss" 'BEGIN { print (a + 0 > b + 0) ? a : b }')")
done

# column K (1-based) of every round's line; the median over the rounds of column K
col() { local line; for line in "${rounds[@]}"; do awk -v k="$1" '{ print $k }' <<<"$line"; done; }
of() { median $(col "$1"); }
last_skip_wall=$skip_wall last_full_wall=$full_wall
dump=$(of 1); tmpl=$(of 2); clone=$(of 3); skip_wall=$(of 4); full_wall=$(of 5); backup=$(of 6); tclone=$(of 7)
tfull_wall=$(of 8); r_clone=$(of 9); r_full=$(of 10); r_tclone=$(of 11); r_tfull=$(of 12)
r_tmpl=$(ratio "$tmpl" "$dump")
max_switch=$(col 13 | sort -g | tail -1); max_rss=$(col 14 | sort -g | tail -1)

echo
echo "PostgreSQL benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "$(machine_line); $(psql_c 'SHOW server_version')"
echo "data: pgbench scale $SCALE${PGBENCH_INIT_OPTS:+ ($PGBENCH_INIT_OPTS)}, database $size_mb MB ($rows rows), generated in $gen s"
if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "$ROUNDS rounds, each measuring everything once in the order (a) to (e); a ratio is taken within its round"
  printf '%5s %7s %8s %7s %8s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n' round "dump s" "FILE_C s" "clone s" \
    "skip s" "full s" "tclone s" "tfull s" "clone/d" "full/d" "tcl/FC" "tful/d" "sw ms" "RSS MB"
  for (( r = 1; r <= ROUNDS; r++ )); do
    # shellcheck disable=SC2086 # the round's line is split into its fields on purpose
    printf '%5s %7s %8s %7s %8s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n' "$r" $(awk '{ $6 = ""; print }' <<<"${rounds[r - 1]}")
  done
  echo "medians below (ratios: the median of the rounds' ratios); range of each ratio: online clone $(spread $(col 9)),"
  echo "full $(spread $(col 10)), template clone $(spread $(col 11)), full template $(spread $(col 12)); switch and RSS: max of all runs"
fi
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
table_row "(g) switch window, max of the online runs (ms)" "$max_switch" "< 250" "$(verdict "$max_switch" '<' 250)"
table_row "(f) peak RSS of the tool, max of the runs (MB)" "$max_rss" "< 300" "$(verdict "$max_rss" '<' 300)"
echo
echo "where time goes (2 cores = $(( $(nproc) ))x wall of CPU capacity):"
[ "$ROUNDS" -gt 1 ] && echo "  (the last round's runs)"
echo "  --skip-backup run: wall $last_skip_wall s, tool CPU $skip_cpu s, machine busy $(secs "$busy0" "$busy1") CPU-s (rest ≈ server + others); switch ${skip_switch} ms; RSS ${skip_rss} MB"
echo "  full run:          wall $last_full_wall s, tool CPU $full_cpu s, machine busy $(secs "$busy2" "$busy3") CPU-s; switch ${full_switch} ms; RSS ${full_rss} MB"
echo "  full run stages:   $full_stages"
echo "  template full run: $tfull_stages; switch ${tfull_switch} ms"
echo "  slowest checkpoints (full run): $(slow_checkpoints "$WORK/full.json" 5)"
echo "  machine load average: $load0 before the run, $(load_avg) at the end (other processes skew every number)"
