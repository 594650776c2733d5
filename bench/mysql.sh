#!/usr/bin/env bash
# MySQL/MariaDB benchmark: our clone and full pipeline against mariadb-dump | mariadb, in one run.
# Usage: bench/mysql.sh [MB]     (approximate data size; default 750)
# Server: 127.0.0.1:3306, root, empty password (override with MYSQL_HOST/MYSQL_PORT/MYSQL_USER).
# See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MB="${1:-750}"
HOST="${MYSQL_HOST:-127.0.0.1}" PORT="${MYSQL_PORT:-3306}" USER_="${MYSQL_USER:-root}"
PFX="bench_my_$$"
LIVE="${PFX}_live"
WORK="$(mktemp -d /tmp/promoter-bench-my.XXXXXX)"
CLI=$(command -v mariadb || command -v mysql) || die "neither mariadb nor mysql client is installed"
DUMP=$(command -v mariadb-dump || command -v mysqldump) || die "neither mariadb-dump nor mysqldump is installed"
cli() { "$CLI" -h "$HOST" -P "$PORT" -u "$USER_" --batch --skip-column-names "$@"; }
q() { cli -e "$1"; }
qi() { printf '`%s`' "${1//\`/\`\`}"; }

DIRTY_PCT=$(q "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
cleanup() {
  set +e
  local db
  q "SET GLOBAL innodb_max_dirty_pages_pct = $DIRTY_PCT"
  for db in $(q "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${PFX//_/\\_}%'"); do
    q "DROP DATABASE IF EXISTS $(qi "$db")" && log "dropped $db"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load0=$(load_avg)

[ -f "$BENCH_HOME/promoter/target/promoter-all.jar" ] || (cd "$BENCH_HOME" && ./mvnw -q -o -DskipTests package)
warm_up

# Rows per table for about MB megabytes (InnoDB data + indexes, measured below):
# documents ~3.1 KB/row (TEXT 2 KB + BLOB 1 KB), events ~300 B, orders ~140 B, customers ~220 B.
n_doc=$(( MB * 132 )); n_evt=$(( MB * 990 )); n_ord=$(( MB * 1540 )); n_cus=$(( MB * 460 ))

log "generating about $MB MB in $LIVE (customers $n_cus, orders $n_ord, events $n_evt, documents $n_doc)"
gen_sql() {
cat <<SQL
CREATE DATABASE $(qi "$LIVE") CHARACTER SET utf8mb4;
USE $(qi "$LIVE");
-- numbers 1..N, server-side: a recursive CTE into a helper table, then INSERT ... SELECT from it
CREATE TABLE nums (n INT PRIMARY KEY) ENGINE=InnoDB;
SET SESSION max_recursive_iterations = 100000000;
INSERT INTO nums WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000) SELECT n FROM s;
CREATE TABLE big_nums (n INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO big_nums SELECT (a.n - 1) * 10000 + b.n FROM nums a JOIN nums b
  WHERE a.n <= CEIL(GREATEST($n_cus, $n_ord, $n_evt, $n_doc) / 10000);

CREATE TABLE customer (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL, email VARCHAR(128) NOT NULL, city VARCHAR(32) NOT NULL,
  score INT NOT NULL, created DATETIME NOT NULL);
INSERT INTO customer (id, name, email, city, score, created)
  SELECT n, CONCAT('customer ', n), CONCAT(LEFT(MD5(n), 12), '@example.com'), CONCAT('city', n % 500),
         n % 1000, '2020-01-01' + INTERVAL (n % 100000) MINUTE
  FROM big_nums WHERE n <= $n_cus;

CREATE TABLE orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(12,2) NOT NULL,
  status TINYINT NOT NULL, created DATETIME NOT NULL, note VARCHAR(100) NULL);
INSERT INTO orders (id, customer_id, amount, status, created, note)
  SELECT n, 1 + n % $n_cus, (n % 100000) / 100, n % 5, '2021-01-01' + INTERVAL (n % 500000) MINUTE,
         IF(n % 7 = 0, NULL, CONCAT('note ', MD5(n)))
  FROM big_nums WHERE n <= $n_ord;

CREATE TABLE event (
  id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, kind VARCHAR(20) NOT NULL,
  payload VARCHAR(255) NOT NULL, at TIMESTAMP(3) NOT NULL);
INSERT INTO event (id, order_id, kind, payload, at)
  SELECT n, 1 + n % $n_ord, ELT(1 + n % 4, 'created', 'paid', 'shipped', 'closed'),
         CONCAT(SHA2(n, 256), ' ', MD5(n), ' tab\there "quote" \\\\ back'), '2022-01-01' + INTERVAL n SECOND
  FROM big_nums WHERE n <= $n_evt;

CREATE TABLE document (
  id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(200) NOT NULL, body TEXT NOT NULL,
  data BLOB NULL, updated DATETIME NOT NULL);
INSERT INTO document (id, title, body, data, updated)
  SELECT n, CONCAT('Document ', n, ' — ', MD5(n)), REPEAT(MD5(n), 64), IF(n % 10 = 0, NULL, UNHEX(REPEAT(MD5(n), 64))),
         '2023-01-01' + INTERVAL n MINUTE
  FROM big_nums WHERE n <= $n_doc;

DROP TABLE nums, big_nums;
-- secondary indexes and foreign keys, built after the data
ALTER TABLE customer ADD UNIQUE KEY uq_customer_email (email, id), ADD KEY ix_customer_city_score (city, score),
  ADD KEY ix_customer_created (created);
ALTER TABLE orders ADD KEY ix_orders_status_created (status, created),
  ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id);
ALTER TABLE event ADD KEY ix_event_order (order_id), ADD KEY ix_event_kind_at (kind, at);
ALTER TABLE document ADD KEY ix_document_title (title(50)), ADD KEY ix_document_updated (updated);
ANALYZE TABLE customer, orders, event, document;
SQL
}
gen=$(timed cli <<<"$(gen_sql)")
size_mb=$(q "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = '$LIVE'")
count_rows() { q "SELECT SUM(c) FROM (SELECT COUNT(*) c FROM $(qi "$1").customer UNION ALL SELECT COUNT(*) FROM $(qi "$1").orders
                  UNION ALL SELECT COUNT(*) FROM $(qi "$1").event UNION ALL SELECT COUNT(*) FROM $(qi "$1").document) x"; }
rows=$(count_rows "$LIVE")
log "generated $size_mb MB, $rows rows in $gen s"

# Before each measurement InnoDB writes out its dirty pages and purges old row versions, so that no step pays
# for the background work the previous one left (what CHECKPOINT does in the PostgreSQL bench).
settle() {
  q "SET GLOBAL innodb_max_dirty_pages_pct = 0"
  local i dirty hist
  for i in $(seq 1 180); do
    dirty=$(q "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2 + 0}')
    hist=$(q "SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'" | awk '{print $2 + 0}')
    [ "${dirty:-0}" -le 64 ] && [ "${hist:-0}" -le 64 ] && break
    sleep 1
  done
  q "SET GLOBAL innodb_max_dirty_pages_pct = $DIRTY_PCT"
  log "settled after $i s (dirty pages ${dirty:-?}, history length ${hist:-?})"
}

# (a) baseline: mariadb-dump --single-transaction | mariadb into a new database
settle
log "(a) $(basename "$DUMP") --single-transaction | $(basename "$CLI")"
dump=$(timed bash -o pipefail -c "'$CLI' -h '$HOST' -P '$PORT' -u '$USER_' -e 'CREATE DATABASE \`${PFX}_dump\` CHARACTER SET utf8mb4' \
  && '$DUMP' -h '$HOST' -P '$PORT' -u '$USER_' --single-transaction '$LIVE' | '$CLI' -h '$HOST' -P '$PORT' -u '$USER_' '${PFX}_dump'")
restored=$(count_rows "${PFX}_dump")
[ "$restored" = "$rows" ] || die "the baseline loaded $restored rows, not $rows"
q "DROP DATABASE $(qi "${PFX}_dump")"

# (c) our clone: clone stage of promote --verify --skip-backup; (d) our full pipeline, backup included
make_tree "$WORK/sql" mysql
drop_db() { q "DROP DATABASE IF EXISTS $(qi "$1")"; }
clone_and_full_runs "jdbc:mysql://$HOST:$PORT/$LIVE" "$USER_" drop_db settle

max_switch=$(awk -v a="$skip_switch" -v b="$full_switch" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
max_rss=$(awk -v a="$skip_rss" -v b="$full_rss" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
r_clone=$(ratio "$clone" "$dump"); r_full=$(ratio "$full_wall" "$dump")

echo
echo "MySQL/MariaDB benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "$(machine_line); $(q 'SELECT VERSION()'), innodb_buffer_pool_size $(q 'SELECT @@innodb_buffer_pool_size DIV 1048576') MB"
echo "data: 4 tables (customer, orders, event, document with TEXT+BLOB; 7 secondary indexes, 1 foreign key), $size_mb MB, $rows rows, generated in $gen s"
table_header
table_row "(a) $(basename "$DUMP") | $(basename "$CLI") (baseline)" "$dump s" "" ""
table_row "(c) clone (clone stage)" "$clone s" "" ""
table_row "    whole --skip-backup run" "$skip_wall s" "" ""
table_row "(d) full promote --verify (with backup)" "$full_wall s" "" ""
table_row "    of which backup stage" "$backup s" "" ""
table_row "ratio clone / dump-load" "$r_clone" "<= 0.6" "$(verdict "$r_clone" '<=' 0.6)"
table_row "ratio full pipeline / dump-load" "$r_full" "<= 1.0" "$(verdict "$r_full" '<=' 1.0)"
table_row "switch window, max of 2 runs (ms)" "$max_switch" "< 250" "$(verdict "$max_switch" '<' 250)"
table_row "peak RSS of the tool, max of 2 runs (MB)" "$max_rss" "< 300" "$(verdict "$max_rss" '<' 300)"
echo
echo "where time goes ($(nproc) cores = $(nproc)x wall of CPU capacity):"
echo "  --skip-backup run: wall $skip_wall s, tool CPU $skip_cpu s, machine busy $(secs "$busy0" "$busy1") CPU-s (rest ≈ server + others); switch ${skip_switch} ms; RSS ${skip_rss} MB"
echo "  full run:          wall $full_wall s, tool CPU $full_cpu s, machine busy $(secs "$busy2" "$busy3") CPU-s; switch ${full_switch} ms; RSS ${full_rss} MB"
echo "  full run stages:   $full_stages"
echo "  slowest checkpoints (full run): $(slow_checkpoints "$WORK/full.json" 5)"
echo "  machine load average: $load0 before the run, $(load_avg) at the end (other processes skew every number)"
