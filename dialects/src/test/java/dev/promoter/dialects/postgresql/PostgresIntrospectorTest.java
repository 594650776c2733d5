package dev.promoter.dialects.postgresql;

import dev.promoter.core.checkpoint.SplitChecksums;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.ChecksumPart;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresIntrospectorTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();
    private final Introspector in = new PostgresDialect().introspector();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    @Test
    void listsTablesThatHoldRows() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, PostgresZoo.SCHEMA);
        dbs.exec(db, PostgresZoo.DATA);
        try (Handle h = Jdbi.open(dbs.open(db))) {
            List<TableRef> tables = in.tables(h);
            assertThat(tables).contains(new TableRef("public", "measurements_2025"), new TableRef("public", "dogs"))
                    .doesNotContain(new TableRef("public", "measurements"), new TableRef("public", "v_items"),
                            new TableRef("public", "mv_counts"));
            assertThat(tables).isSorted();
            assertThat(in.rowCount(h, new TableRef("public", "animals"))).as("ONLY the parent's own rows").isEqualTo(1);
            assertThat(in.rowCount(h, new TableRef("public", "données"))).isEqualTo(3);
        }
    }

    @Test
    void checksumSeesEveryChangeButNotRowOrderOrSessionSettings() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, "CREATE TABLE t (a int, at timestamptz, f float8); "
                + "INSERT INTO t VALUES (1, '2024-01-01 00:00+00', 0.1), (1, '2024-01-01 00:00+00', 0.1), (2, NULL, NULL)");
        TableRef t = new TableRef("public", "t");
        try (Handle h = Jdbi.open(dbs.open(db))) {
            TableChecksum first = in.checksum(h, t);
            assertThat(first.rows()).isEqualTo(3);
            h.execute("SET TimeZone = 'Asia/Tokyo'");
            h.execute("SET extra_float_digits = 0");
            assertThat(in.checksum(h, t)).isEqualTo(first);
            assertThat(h.createQuery("SHOW TimeZone").mapTo(String.class).one()).isEqualTo("Asia/Tokyo");
            h.execute("DELETE FROM t WHERE a = 2");
            h.execute("INSERT INTO t VALUES (2, NULL, NULL)");
            assertThat(in.checksum(h, t)).as("same rows, another physical order").isEqualTo(first);
            h.execute("DELETE FROM t WHERE ctid = (SELECT min(ctid) FROM t WHERE a = 1)");
            assertThat(in.checksum(h, t)).as("a duplicate removed").isNotEqualTo(first);
            h.execute("INSERT INTO t VALUES (1, '2024-01-01 00:00+00', 0.1000000001)");
            assertThat(in.checksum(h, t).rows()).isEqualTo(3);
            assertThat(in.checksum(h, t)).isNotEqualTo(first);
        }
    }

    @Test
    void checksumIsExactInBothCopyFormats() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, "CREATE TYPE mood AS ENUM ('ok', 'sad'); "
                + "CREATE TABLE bin (n numeric, s text, b bytea); "
                + "CREATE TABLE txt (moods mood[], at timestamp, tz timestamptz, i interval, b bytea, s text); "
                + "INSERT INTO bin VALUES (1.0, '', '\\x00'); "
                + "INSERT INTO txt VALUES ('{ok,sad}', '2024-02-03 04:05:06', '2024-02-03 04:05:06+00', '1 day 2 hours', '\\xff', '')");
        TableRef bin = new TableRef("public", "bin");
        TableRef txt = new TableRef("public", "txt");
        try (Handle h = Jdbi.open(dbs.open(db))) {
            TableChecksum b0 = in.checksum(h, bin);
            TableChecksum t0 = in.checksum(h, txt);
            h.execute("SET DateStyle = 'ISO, DMY'; SET TimeZone = 'Asia/Tokyo'; SET IntervalStyle = 'sql_standard'; SET bytea_output = 'escape'");
            assertThat(in.checksum(h, txt)).as("text-format rows do not depend on the session").isEqualTo(t0);
            assertThat(in.checksum(h, bin)).isEqualTo(b0);
            h.execute("UPDATE bin SET n = 1.00");
            assertThat(in.checksum(h, bin)).as("numeric keeps its scale").isNotEqualTo(b0);
            h.execute("UPDATE bin SET n = 1.0, s = NULL");
            assertThat(in.checksum(h, bin)).as("NULL is not the empty string").isNotEqualTo(b0);
            h.execute("UPDATE bin SET s = ''");
            assertThat(in.checksum(h, bin)).isEqualTo(b0);
            h.execute("UPDATE txt SET moods = '{sad,ok}'");
            assertThat(in.checksum(h, txt)).isNotEqualTo(t0);
            h.execute("UPDATE txt SET moods = '{ok,sad}', s = NULL");
            assertThat(in.checksum(h, txt)).isNotEqualTo(t0);
            h.execute("TRUNCATE bin");
            assertThat(in.checksum(h, bin)).isEqualTo(TableChecksum.of(0, null));
        }
    }

    @Test
    void aLargeTableChecksummedInPiecesAddsUpToTheWhole() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, "CREATE TABLE \"Big\" (id int, note text, n numeric); "
                + "INSERT INTO \"Big\" SELECT g, repeat('x', g % 300), g / 7.0 FROM generate_series(1, 30000) g; "
                + "INSERT INTO \"Big\" VALUES (NULL, NULL, NULL), (NULL, NULL, NULL)");
        TableRef big = new TableRef("public", "Big");
        try (Handle h = Jdbi.open(dbs.open(db))) {
            TableChecksum whole = in.checksum(h, big);
            List<ChecksumPart> parts = PostgresIntrospector.checksumParts(h.getConnection(), big, 3, 10);
            assertThat(parts).hasSize(3);
            TableChecksum sum = parts.stream().map(p -> p.compute(h)).reduce(TableChecksum::plus).orElseThrow();
            assertThat(sum).isEqualTo(whole);
            assertThat(sum.rows()).isEqualTo(30002);
            assertThat(PostgresIntrospector.checksumParts(h.getConnection(), big, 3, 1_000_000)).as("too small to cut").hasSize(1);

            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                SplitChecksums split = new SplitChecksums(in::checksumParts, Connections.jdbi(dbs.spec(db)), pool, 2);
                SplitChecksums.Timed t = split.start(big).get();
                assertThat(t.error()).isNull();
                assertThat(t.checksum()).isEqualTo(whole);
                h.execute("UPDATE \"Big\" SET note = 'changed' WHERE id = 29999");
                assertThat(split.start(big).get().checksum()).isNotEqualTo(whole);
                assertThat(split.start(new TableRef("public", "missing")).get().error()).hasMessageContaining("missing");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void countersCompareSequencesWithTheirColumns() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, "CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY, v text);"
                + "CREATE TABLE \"B b\" (\"Id\" bigserial);"
                + "CREATE SEQUENCE free_seq;"
                + "INSERT INTO a (v) VALUES ('x'), ('y'); INSERT INTO a (id, v) VALUES (10, 'manual');"
                + "INSERT INTO \"B b\" DEFAULT VALUES");
        try (Handle h = Jdbi.open(dbs.open(db))) {
            List<CounterState> counters = in.counters(h);
            assertThat(counters).extracting(CounterState::name)
                    .containsExactly("public.B b_Id_seq", "public.a_id_seq", "public.free_seq");
            CounterState a = counters.get(1);
            assertThat(a.table()).isEqualTo(new TableRef("public", "a"));
            assertThat(a.column()).isEqualTo("id");
            assertThat(a.nextValue()).isEqualTo(3);
            assertThat(a.maxKey()).isEqualTo(10);
            assertThat(a.isBehind()).isTrue();
            assertThat(counters.get(0).nextValue()).isEqualTo(2);
            assertThat(counters.get(0).isBehind()).isFalse();
            assertThat(counters.get(2).table()).isNull();
            assertThat(counters.get(2).nextValue()).isEqualTo(1);
        }
    }

    @Test
    void schemaLeavesLiquibaseOutAndShowsDifferences() throws Exception {
        String one = dbs.create("pg_intro");
        String two = dbs.create("pg_intro");
        for (String db : List.of(one, two)) {
            dbs.exec(db, "CREATE TABLE databasechangelog (id text); CREATE TABLE t (id int PRIMARY KEY, v varchar(10) "
                    + "DEFAULT 'x' NOT NULL); CREATE INDEX t_v ON t (v); CREATE VIEW w AS SELECT id FROM t");
        }
        dbs.exec(two, "ALTER TABLE t ADD COLUMN extra int; DROP INDEX t_v; CREATE SEQUENCE s");
        try (Handle h1 = Jdbi.open(dbs.open(one)); Handle h2 = Jdbi.open(dbs.open(two))) {
            var m1 = in.schema(h1);
            assertThat(m1.objects()).containsOnlyKeys("table public.t", "view public.w");
            assertThat(m1.objects().get("table public.t")).contains("column v character varying(10) not null default "
                    + "'x'::character varying", "constraint t_pkey PRIMARY KEY (id)");
            assertThat(in.schema(h2).differencesFrom(m1)).containsExactlyInAnyOrder(
                    "table public.t: expected index CREATE INDEX t_v ON public.t USING btree (v)",
                    "table public.t: unexpected column extra integer", "unexpected sequence public.s");
        }
    }

    @Test
    void theBatchCutterReadsEveryTablesShapeAsTheTableByTableLookupDoesAndSumsTheSame() throws Exception {
        String db = dbs.create("pg_intro");
        dbs.exec(db, PostgresZoo.SCHEMA);
        dbs.exec(db, PostgresZoo.DATA);
        dbs.exec(db, "CREATE TABLE empty_shape (); INSERT INTO empty_shape DEFAULT VALUES; "
                + "CREATE TABLE dropped (a int, gone text, \"Mixed Case\" int[], g int GENERATED ALWAYS AS (a * 2) STORED); "
                + "ALTER TABLE dropped DROP COLUMN gone; INSERT INTO dropped (a, \"Mixed Case\") VALUES (1, '{1,2}'); "
                + "CREATE TYPE duo AS (x int, y text); CREATE TABLE composite (p duo); INSERT INTO composite VALUES ((1, 'a'))");
        Introspector in = new PostgresIntrospector();
        try (Handle h = Jdbi.open(dbs.open(db))) {
            List<TableRef> tables = in.tables(h);
            var shapes = PostgresIntrospector.shapes(h.getConnection());
            assertThat(shapes.keySet()).containsExactlyInAnyOrderElementsOf(tables);
            for (TableRef t : tables) {
                PostgresCopyRows one = PostgresCopyRows.of(h.getConnection(), t);
                assertThat(shapes.get(t).rows().columns()).as(t.display()).isEqualTo(one.columns());
                assertThat(shapes.get(t).rows().format()).as(t.display()).isEqualTo(one.format());
            }
            assertThat(shapes.get(new TableRef("public", "dropped")).rows().columns()).containsExactly("\"a\"", "\"Mixed Case\"");
            assertThat(shapes.get(new TableRef("public", "composite")).rows().format()).isEqualTo("text");
            assertThat(shapes.get(new TableRef("public", "empty_shape")).rows().columns()).isEmpty();
            var cutter = in.checksumCutter(h);
            for (TableRef t : tables) {
                TableChecksum sum = null;
                for (ChecksumPart p : cutter.cut(h, t, 2)) {
                    sum = sum == null ? p.compute(h) : sum.plus(p.compute(h));
                }
                assertThat(sum).as(t.display()).isEqualTo(in.checksum(h, t));
            }
        }
    }
}
