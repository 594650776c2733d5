#!/usr/bin/env bash
# PostgreSQL benchmark of database shapes that are hard for a per-table or per-object tool: many small tables,
# many small large objects. For each, in one run: pg_dump -Fc -Z0 | pg_restore (the baseline) and our full
# promote --verify (backup included).
# Usage: bench/postgres-shapes.sh [TABLES] [LARGE_OBJECTS]     (defaults 5000 and 100000)
# Server: 127.0.0.1:5432, user postgres, trust (override with PGHOST/PGPORT/PGUSER). See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TABLES="${1:-5000}"
LOBS="${2:-100000}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
URL_BASE="jdbc:postgresql://$PGHOST:$PGPORT"
PFX="bench_pgs_$$"
WORK="$(mktemp -d /tmp/promoter-bench-pgs.XXXXXX)"

trap pg_cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$BENCH_HOME/promoter/target/promoter-all.jar" ] || (cd "$BENCH_HOME" && ./mvnw -q -o -DskipTests package)
warm_up
make_tree "$WORK/sql" postgresql

# measure NAME: the baseline, then our full run, on database ${PFX}_NAME; sets <NAME>_dump, _full, _rss, _stages
measure() {
  local name=$1 live="${PFX}_$1"
  psql_c "CHECKPOINT"
  log "$name: pg_dump -Fc -Z0 | pg_restore"
  local dump
  dump=$(timed bash -o pipefail -c "psql -X -q -d postgres -c 'CREATE DATABASE \"${live}_dump\"' \
    && pg_dump -Fc -Z0 -d '$live' | pg_restore --no-owner --exit-on-error -d '${live}_dump'")
  psql_c "DROP DATABASE $(pg_qi "${live}_dump")"
  "$PROMOTE" stamp 1.0.0 --sql "$WORK/sql" --url "$URL_BASE/$live" --user "$PGUSER" >&2
  psql_c "CHECKPOINT"
  log "$name: promote --verify --to 1.1.0 (with backup)"
  run_promote "$WORK/$name" --sql "$WORK/sql" --url "$URL_BASE/$live" --user "$PGUSER" --report-dir "$WORK/reports" \
    --verify --allow-drift --backup-dir "$WORK/backups-$name" --to 1.1.0
  printf -v "${name}_dump" '%s' "$dump"
  printf -v "${name}_full" '%s' "$RUN_WALL"
  printf -v "${name}_rss" '%s' "$(peak_rss_mb "$WORK/$name.time")"
  printf -v "${name}_stages" '%s' "$(stage_line "$WORK/$name.json")"
  psql_c "DROP DATABASE $(pg_qi "$(jq -r .archiveDatabase "$WORK/$name.json")")"
  rm -rf "$WORK/backups-$name"
}

log "generating $TABLES one-row tables (each with a primary key) in ${PFX}_tables"
psql_c "CREATE DATABASE $(pg_qi "${PFX}_tables")"
# one transaction per table: a single transaction making thousands of tables runs out of the server's lock table
gen_tables=$(timed bash -c "for i in \$(seq 1 $TABLES); do echo \"CREATE TABLE t\$i (id int PRIMARY KEY, v text); \
  INSERT INTO t\$i VALUES (1, 'row of table \$i');\"; done | psql -X -q -v ON_ERROR_STOP=1 -d '${PFX}_tables'")
log "generated in $gen_tables s"
measure tables

log "generating $LOBS small large objects in ${PFX}_lobs"
psql_c "CREATE DATABASE $(pg_qi "${PFX}_lobs")"
gen_lobs=$(timed psql -X -q -v ON_ERROR_STOP=1 -d "${PFX}_lobs" -c "CREATE TABLE docs (id int PRIMARY KEY, body oid); \
  INSERT INTO docs SELECT i, lo_from_bytea(0, convert_to(repeat('document ' || i || ' ', 20), 'UTF8')) \
  FROM generate_series(1, $LOBS) i")
log "generated in $gen_lobs s"
measure lobs

echo
echo "PostgreSQL shapes benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "$(machine_line); $(psql_c 'SHOW server_version')"
table_header
table_row "$TABLES tables: pg_dump -Fc -Z0 | pg_restore" "$tables_dump s" "" ""
table_row "$TABLES tables: full promote --verify" "$tables_full s" "" ""
table_row "ratio full / dump-pipe ($TABLES tables)" "$(ratio "$tables_full" "$tables_dump")" "<= 1.0" \
  "$(verdict "$(ratio "$tables_full" "$tables_dump")" '<=' 1.0)"
table_row "peak RSS ($TABLES tables, MB)" "$tables_rss" "< 300" "$(verdict "$tables_rss" '<' 300)"
table_row "$LOBS large objects: pg_dump -Fc -Z0 | pg_restore" "$lobs_dump s" "" ""
table_row "$LOBS large objects: full promote --verify" "$lobs_full s" "" ""
table_row "ratio full / dump-pipe ($LOBS large objects)" "$(ratio "$lobs_full" "$lobs_dump")" "<= 1.0" \
  "$(verdict "$(ratio "$lobs_full" "$lobs_dump")" '<=' 1.0)"
table_row "peak RSS ($LOBS large objects, MB)" "$lobs_rss" "< 300" "$(verdict "$lobs_rss" '<' 300)"
echo
echo "  tables run stages:        $tables_stages"
echo "  large objects run stages: $lobs_stages"
