package dev.promoter.dialects.postgresql;

import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;
import dev.promoter.core.db.Connections;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresClonerTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();
    private final PostgresDialect dialect = new PostgresDialect();
    private final Introspector introspector = dialect.introspector();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    /** Every table's checksum in database {@code db}, read now. */
    static Map<TableRef, TableChecksum> checksums(PostgresTestDatabases dbs, Introspector in, String db) throws SQLException {
        try (Handle h = Jdbi.open(dbs.open(db))) {
            return checksums(in, h);
        }
    }

    static Map<TableRef, TableChecksum> checksums(Introspector in, Handle h) {
        Map<TableRef, TableChecksum> m = new TreeMap<>();
        for (TableRef t : in.tables(h)) {
            m.put(t, in.checksum(h, t));
        }
        return m;
    }

    @Test
    void clonesEverythingFromOneSnapshot() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, PostgresZoo.SCHEMA);
        dbs.exec(live, PostgresZoo.DATA);
        String staging = dbs.create("pg_clone_stg");

        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5)), ProgressListener.NONE);

        try (Handle l = Jdbi.open(dbs.open(live)); Handle s = Jdbi.open(dbs.open(staging))) {
            Map<TableRef, TableChecksum> liveSums = checksums(introspector, l);
            assertThat(liveSums.keySet()).contains(new TableRef("public", "Order Items"), new TableRef("public", "données"),
                    new TableRef("public", "measurements_2024"), new TableRef("public", "animals"),
                    new TableRef("public", "dogs"), new TableRef("Other Schema", "user"))
                    .doesNotContain(new TableRef("public", "measurements"));
            assertThat(snap.tables()).isEqualTo(liveSums);
            assertThat(checksums(introspector, s)).isEqualTo(liveSums);
            assertThat(liveSums.get(new TableRef("public", "nopk")).rows()).isEqualTo(3);
            assertThat(introspector.schema(s).differencesFrom(introspector.schema(l))).isEmpty();
            assertThat(introspector.schema(l).objects()).containsKeys("table public.Order Items", "view public.v_items",
                    "materialized view public.mv_counts", "sequence public.données_clé_seq");
            assertThat(introspector.counters(s)).isEqualTo(introspector.counters(l));
            assertThat(introspector.counters(s)).noneMatch(c -> c.isBehind());
            assertThat(s.createQuery("SELECT n FROM mv_counts").mapTo(Long.class).one()).isEqualTo(3L);
            s.execute("INSERT INTO nopk VALUES (9, 'new')");
            assertThat(s.createQuery("SELECT b FROM nopk WHERE a = 9").mapTo(String.class).one()).isEqualTo("new!");
            assertThat(s.createQuery("INSERT INTO \"Order Items\" (qty, price) VALUES (2, 2) RETURNING id")
                    .mapTo(Long.class).one()).isEqualTo(4L);
            assertThat(s.createQuery("SELECT total FROM \"Order Items\" WHERE id = 4").mapTo(String.class).one())
                    .isEqualTo("4.0000");
        }
        assertThat(PostgresWatermark.decode(snap.watermark()).tracked()).isTrue();
        assertThat(snap.freeze()).isSameAs(WriteFreeze.NONE);
    }

    @Test
    void checksumsComeFromTheSnapshotWhileLiveChanges() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE TABLE \"Big One\" (id int PRIMARY KEY, note text); "
                + "INSERT INTO \"Big One\" SELECT g, repeat('x', g % 50) FROM generate_series(1, 20000) g; "
                + "INSERT INTO \"Big One\" VALUES (-1, repeat('larger than one copy message ', 5000)); "
                + "CREATE TABLE \"small é\" (a int, b text); INSERT INTO \"small é\" VALUES (1, 'a'), (1, 'a'), (2, NULL)");
        String staging = dbs.create("pg_clone_stg");
        Map<TableRef, TableChecksum> before;
        try (Handle l = Jdbi.open(dbs.open(live))) {
            before = checksums(introspector, l);
        }
        AtomicBoolean written = new AtomicBoolean();
        ProgressListener writer = new ProgressListener() {
            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                if (written.compareAndSet(false, true)) {
                    try {
                        dbs.exec(live, "INSERT INTO \"Big One\" VALUES (0, 'after'); INSERT INTO \"small é\" VALUES (3, 'c')");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };

        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 1, false,
                Duration.ofSeconds(5)), writer);

        assertThat(written).isTrue();
        assertThat(snap.tables()).isEqualTo(before);
        try (Handle l = Jdbi.open(dbs.open(live)); Handle s = Jdbi.open(dbs.open(staging))) {
            assertThat(checksums(introspector, s)).isEqualTo(before);
            assertThat(checksums(introspector, l)).isNotEqualTo(before);
        }
    }

    @Test
    void freezeMakesLiveReadOnlyUntilReleased() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
        String staging = dbs.create("pg_clone_stg");
        try (Connection before = dbs.open(live)) {
            Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 1, true,
                    Duration.ofSeconds(5)), ProgressListener.NONE);
            assertThat(snap.freeze().describe()).contains("read-only");
            assertThatThrownBy(() -> before.createStatement().execute("SELECT 1"))
                    .as("sessions open at the freeze are ended").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> dbs.exec(live, "INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
            snap.freeze().release();
            snap.freeze().release();
            dbs.exec(live, "INSERT INTO t VALUES (2)");
        }
        try (Connection c = dbs.open(staging); Statement st = c.createStatement()) {
            st.execute("INSERT INTO t VALUES (3)");
        }
    }

    @Test
    void refusesAStagingThatIsNotEmpty() throws Exception {
        String live = dbs.create("pg_clone_live");
        String staging = dbs.create("pg_clone_stg");
        dbs.exec(staging, "CREATE TABLE leftover (id int)");
        assertThatThrownBy(() -> dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 1,
                false, Duration.ofSeconds(5)), ProgressListener.NONE))
                .hasMessageContaining("Staging database \"" + staging + "\" is not empty");
    }

    @Test
    void largeObjectsAreCarriedAsAtTheSnapshot() throws Exception {
        String live = dbs.create("pg_clone_live");
        // three chunks and a bit, an empty object, a small one, ones that end where a piece read ends, and more
        // small ones than one fetch of the reading cursor and one batch of lo_put hold; rows only hold their oids
        dbs.exec(live, "CREATE TABLE docs (id int PRIMARY KEY, body oid); "
                + "INSERT INTO docs VALUES (1, lo_from_bytea(0, decode(repeat('00112233445566778899aabbccddeeff', "
                + (3 * PostgresLargeObjects.CHUNK / 16 + 1000) + "), 'hex'))), (2, lo_create(0)), "
                + "(3, lo_from_bytea(0, 'small é'::bytea)), "
                + "(4, lo_from_bytea(0, decode(repeat('ab', " + PostgresLargeObjects.FIRST + "), 'hex'))), "
                + "(5, lo_from_bytea(0, decode(repeat('cd', " + (PostgresLargeObjects.FIRST + PostgresLargeObjects.CHUNK)
                + "), 'hex'))), (6, lo_from_bytea(0, decode(repeat('ef', " + (PostgresLargeObjects.FIRST - 1) + "), 'hex'))); "
                + "INSERT INTO docs SELECT i, lo_from_bytea(0, convert_to('doc ' || i, 'UTF8')) FROM generate_series(10, "
                + (9 + 2 * PostgresLargeObjects.FETCH + PostgresLargeObjects.Writer.BATCH_ROWS) + ") i");
        long objects = 6 + 2 * PostgresLargeObjects.FETCH + PostgresLargeObjects.Writer.BATCH_ROWS;
        String query = "SELECT string_agg(d.id || ':' || length(lo_get(d.body)) || ':' || md5(lo_get(d.body)), ',' "
                + "ORDER BY d.id) FROM docs d";
        String before = dbs.queryString(live, query);
        assertThat(before).startsWith("1:" + (3 * PostgresLargeObjects.CHUNK + 16000) + ":").contains(",2:0:");
        String staging = dbs.create("pg_clone_stg");
        AtomicBoolean written = new AtomicBoolean();
        ProgressListener writer = new ProgressListener() {
            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                if (written.compareAndSet(false, true)) {
                    try { // after the snapshot: neither may reach staging
                        dbs.exec(live, "SELECT lo_put(body, 0, 'changed'::bytea) FROM docs WHERE id = 3; "
                                + "SELECT lo_from_bytea(0, 'new after the snapshot'::bytea)");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };

        dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5)), writer);

        assertThat(written).isTrue();
        assertThat(dbs.queryString(staging, query)).isEqualTo(before);
        assertThat(dbs.queryString(staging, "SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(String.valueOf(objects));
        assertThat(dbs.queryString(staging, "SELECT string_agg(length(lo_get(body))::text, ',' ORDER BY id) FROM docs "
                + "WHERE id BETWEEN 4 AND 6")).isEqualTo(PostgresLargeObjects.FIRST + ","
                + (PostgresLargeObjects.FIRST + PostgresLargeObjects.CHUNK) + "," + (PostgresLargeObjects.FIRST - 1));
        assertThat(dbs.queryString(live, query)).isNotEqualTo(before);
        try (Connection l = dbs.open(live); Connection s = dbs.open(staging)) {
            assertThat(PostgresLargeObjects.checksum(s)).isNotEqualTo(PostgresLargeObjects.checksum(l));
            dbs.exec(live, "SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid NOT IN (SELECT body FROM docs); "
                    + "SELECT lo_put(body, 0, 'small é'::bytea) FROM docs WHERE id = 3");
            assertThat(PostgresLargeObjects.checksum(s)).isEqualTo(PostgresLargeObjects.checksum(l));
        }
    }

    /** The users' rows of an extension's configuration tables, and its configuration sequence, as live has them. */
    static final String EXTENSION_ROWS = "SELECT (SELECT string_agg(id || '=' || name || ':' || coalesce(value::text, 'null') "
            + "|| ':' || builtin, ', ' ORDER BY id) FROM fixture_settings) || ' / ' || (SELECT string_agg(job || ' ' "
            + "|| schedule || ' ' || coalesce(md5(payload), 'null'), ', ' ORDER BY job) FROM fixture_jobs) || ' / ' "
            + "|| (SELECT last_value || ' ' || is_called FROM fixture_settings_id_seq)";

    /** Live with the fixture extension: two builtin settings, two users' settings (one deleted after), two jobs. */
    static void withExtensionRows(PostgresTestDatabases dbs, String live) throws Exception {
        PostgresFixtureExtension.ensureInstalled(dbs);
        dbs.exec(live, "CREATE EXTENSION " + PostgresFixtureExtension.NAME + "; "
                + "INSERT INTO fixture_settings (name, value) VALUES ('tenant', '{\"a\": [1, 2]}'), ('gone', NULL), "
                + "('owner é', NULL); DELETE FROM fixture_settings WHERE name = 'gone'; "
                + "INSERT INTO fixture_jobs VALUES ('vacuum', '0 3 * * *', NULL), ('report', '@hourly', '\\x00ff'::bytea); "
                + "CREATE TABLE app (id int PRIMARY KEY); INSERT INTO app VALUES (1)");
    }

    @Test
    void carriesTheUsersRowsOfExtensionConfigurationTables() throws Exception {
        String live = dbs.create("pg_clone_live");
        withExtensionRows(dbs, live);
        String expected = dbs.queryString(live, EXTENSION_ROWS);
        assertThat(expected).isEqualTo("1=retention:\"7 days\":true, 2=batch:500:true, 3=tenant:{\"a\": [1, 2]}:false, "
                + "5=owner é:null:false / report @hourly " + dbs.queryString(live, "SELECT md5('\\x00ff'::bytea)")
                + ", vacuum 0 3 * * * null / 5 true");
        String staging = dbs.create("pg_clone_stg");
        java.util.List<String> messages = new java.util.ArrayList<>();
        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5)), new ProgressListener() {
                    @Override
                    public void message(String text) {
                        messages.add(text);
                    }
                });

        // the builtin rows once (made by CREATE EXTENSION), the users' rows with their ids, the sequence where it was
        assertThat(dbs.queryString(staging, EXTENSION_ROWS)).isEqualTo(expected);
        assertThat(dbs.queryString(staging, "SELECT nextval('fixture_settings_id_seq')")).isEqualTo("6");
        assertThat(messages).anyMatch(m -> m.contains("public.fixture_settings of extension promoter_fixture (2 rows)")
                && m.contains("public.fixture_jobs of extension promoter_fixture (2 rows)"));
        // they are the extension's, not user tables: the app's tables are what the checksums cover
        assertThat(snap.tables()).containsOnlyKeys(new TableRef("public", "app"));
    }

    @Test
    void largeTablesLandFrozenAndSmallOnesAreCopiedWithoutATruncate() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE TABLE big (id int PRIMARY KEY, pad text); INSERT INTO big SELECT i, repeat('x', 60) "
                + "FROM generate_series(1, 100000) i; CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1), (2)");
        assertThat(Long.parseLong(dbs.queryString(live, "SELECT pg_relation_size('big')")))
                .isGreaterThanOrEqualTo(PostgresTableCopier.FREEZE_FROM_BYTES);
        String staging = dbs.create("pg_clone_stg");
        dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5)), ProgressListener.NONE);

        dbs.exec(staging, "CREATE EXTENSION pg_visibility");
        String frozen = "SELECT all_frozen || '/' || pg_relation_size('%s') / current_setting('block_size')::int "
                + "FROM pg_visibility_map_summary('%s')";
        String big = dbs.queryString(staging, String.format(frozen, "big", "big"));
        assertThat(big.split("/")[0]).as("frozen pages of big").isEqualTo(big.split("/")[1]).isNotEqualTo("0");
        assertThat(dbs.queryString(staging, String.format(frozen, "small", "small"))).isEqualTo("0/1");
        assertThat(dbs.queryString(staging, "SELECT count(*) || ' ' || (SELECT count(*) FROM small) FROM big"))
                .isEqualTo("100000 2");
    }

    /** What post-data makes, in a form two databases can be compared by: indexes, constraints, comments, attachments. */
    static final String POST_DATA = "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
            + "SELECT 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) || ' clustered=' || indisclustered"
            + " || ' replident=' || indisreplident || ' valid=' || indisvalid || ' comment=' || coalesce(obj_description(indexrelid,"
            + " 'pg_class'), '') AS x FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace::regnamespace::text"
            + " !~ '^(pg_|information_schema)' UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '"
            + " || pg_get_constraintdef(oid) || ' validated=' || convalidated FROM pg_constraint WHERE connamespace::regnamespace::text"
            + " !~ '^(pg_|information_schema)' UNION ALL SELECT 'attached ' || inhrelid::regclass || ' to ' || inhparent::regclass"
            + " FROM pg_inherits UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger"
            + " WHERE NOT tgisinternal) s";

    @Test
    void aLargeTablesIndexesAreBuiltWhileOtherTablesAreStillCopied() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, PostgresZoo.SCHEMA);
        dbs.exec(live, PostgresZoo.DATA);
        dbs.exec(live, "CREATE TABLE big (id int PRIMARY KEY, code text NOT NULL UNIQUE, during int4range, pad text, "
                + "EXCLUDE USING gist (during WITH &&)); CREATE INDEX big_lower ON big (lower(code)); "
                + "COMMENT ON INDEX big_lower IS 'by code'; ALTER TABLE big CLUSTER ON big_pkey; "
                + "ALTER TABLE big REPLICA IDENTITY USING INDEX big_code_key; "
                + "INSERT INTO big SELECT i, 'c' || i, int4range(i * 10, i * 10 + 5), repeat('x', 100) FROM generate_series(1, 20000) i; "
                + "CREATE TABLE big_ref (id int PRIMARY KEY, big_id int REFERENCES big (id)); "
                + "INSERT INTO big_ref SELECT i, i FROM generate_series(1, 500) i; "
                // an index calling a function that reads another table: built early, it would find big_ref empty
                + "CREATE FUNCTION public.ref_count(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$BEGIN "
                + "IF NOT EXISTS (SELECT 1 FROM public.big_ref) THEN RAISE EXCEPTION 'big_ref is empty'; END IF; "
                + "RETURN $1 % 7; END$$; CREATE INDEX big_by_ref ON big (public.ref_count(id))");
        String staging = dbs.create("pg_clone_stg");
        TableRef big = new TableRef("public", "big");
        java.util.List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch bigBuilt = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean heldTooLong = new AtomicBoolean();
        ProgressListener watch = new ProgressListener() {
            @Override
            public void message(String text) {
                messages.add(text);
                if (text.startsWith("Indexes and constraints of table public.big (")) {
                    bigBuilt.countDown();
                }
            }

            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                // the other worker's first table waits for big's indexes: only an early build lets it go on
                if (!table.equals(big) && held.compareAndSet(false, true)) {
                    try {
                        heldTooLong.set(!bigBuilt.await(60, java.util.concurrent.TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };

        // every table with rows is "large" here, so the zoo's partitions, inheritance children and keys go early
        Snapshot snap = new PostgresCloner(new PostgresClientTools(), PostgresIntrospector.SPLIT_BLOCKS, 1)
                .cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false, Duration.ofSeconds(5)), watch);

        assertThat(held).isTrue();
        assertThat(heldTooLong).as("big's indexes were built only after the whole copy").isFalse();
        assertThat(messages).anyMatch(m -> m.startsWith("Indexes and constraints of table public.big (5) built in"))
                .anyMatch(m -> m.startsWith("Indexes and constraints of table public.measurements_2024 (1) built in"))
                .anyMatch(m -> m.startsWith("Indexes, constraints and triggers (post-data) built in")
                        && m.contains("waiting for the early builds of"));
        assertThat(dbs.queryString(staging, POST_DATA)).isEqualTo(dbs.queryString(live, POST_DATA))
                .contains("big_lower ON public.big USING btree (lower(code)) clustered=false replident=false valid=true comment=by code",
                        "big_code_key ON public.big USING btree (code) clustered=false replident=true",
                        "big_pkey ON public.big USING btree (id) clustered=true",
                        "constraint big_ref big_ref_big_id_fkey FOREIGN KEY (big_id) REFERENCES big(id)",
                        "attached measurements_2024_at_idx to measurements_at_idx",
                        "big_by_ref ON public.big USING btree (ref_count(id))");
        try (Handle l = Jdbi.open(dbs.open(live)); Handle s = Jdbi.open(dbs.open(staging))) {
            assertThat(checksums(introspector, s)).isEqualTo(snap.tables()).isEqualTo(checksums(introspector, l));
            assertThat(introspector.schema(s).differencesFrom(introspector.schema(l))).isEmpty();
        }
        assertThatThrownBy(() -> dbs.exec(staging, "INSERT INTO big VALUES (-1, 'c1', NULL, NULL)"))
                .hasMessageContaining("big_code_key");
    }

    @Test
    void tablesAreCopiedLargestFirstCountingTheirToastData() throws Exception {
        String live = dbs.create("pg_clone_live");
        // "wide": 50 rows whose 200 kB values live in TOAST (a small heap); "narrow": a bigger heap, less in all
        dbs.exec(live, "CREATE TABLE wide (id int PRIMARY KEY, doc text); ALTER TABLE wide ALTER doc SET STORAGE EXTERNAL; "
                + "INSERT INTO wide SELECT i, repeat(md5(i::text), 6400) FROM generate_series(1, 50) i; "
                + "CREATE TABLE narrow (id int PRIMARY KEY, v text); INSERT INTO narrow SELECT i, 'row ' || i "
                + "FROM generate_series(1, 60000) i");
        assertThat(Long.parseLong(dbs.queryString(live, "SELECT pg_relation_size('wide') - pg_relation_size('narrow')")))
                .isNegative();
        assertThat(Long.parseLong(dbs.queryString(live, "SELECT pg_table_size('wide') - pg_table_size('narrow')")))
                .isPositive();
        String staging = dbs.create("pg_clone_stg");
        java.util.List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 1, false,
                Duration.ofSeconds(5)), new ProgressListener() {
                    @Override
                    public void tableStarted(TableRef table, long estimatedRows) {
                        started.add(table.name());
                    }
                });
        assertThat(started).containsExactly("wide", "narrow");
        assertThat(dbs.queryString(staging, "SELECT count(*) || ' ' || sum(length(doc)) FROM wide")).isEqualTo("50 10240000");
    }

    @Test
    void aRoleThatRowLevelSecurityWouldFilterGetsAnErrorNotAPartialCopy() throws Exception {
        String live = dbs.create("pg_clone_live");
        String role = dev.promoter.testing.TestServers.uniqueName("promoter_rls");
        dbs.exec(live, "CREATE ROLE " + role + " LOGIN; CREATE TABLE secret (id int, owner text); "
                + "INSERT INTO secret VALUES (1, 'a'), (2, 'b'); ALTER TABLE secret ENABLE ROW LEVEL SECURITY; "
                + "CREATE POLICY only_a ON secret FOR SELECT USING (owner = 'a'); GRANT SELECT ON secret TO " + role);
        try {
            assertThat(dbs.queryString(live, "SELECT count(*) FROM secret")).isEqualTo("2");
            var asRole = new dev.promoter.core.db.ConnectionSpec(dbs.spec(live).url(), role,
                    dev.promoter.core.db.Secret.none());
            try (Connection c = Connections.open(asRole); Statement st = c.createStatement()) {
                try (var rs = st.executeQuery("SELECT count(*) FROM secret")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the policy hides a row from this role").isEqualTo(1);
                }
                assertThatThrownBy(() -> PostgresIntrospector.checksum(c, new TableRef("public", "secret")))
                        .isInstanceOf(dev.promoter.core.PromoterException.class)
                        .hasMessageContaining("row-level security").hasMessageContaining("BYPASSRLS");
            }
        } finally {
            dbs.exec(live, "DROP TABLE secret");
            dbs.exec(live, "DROP ROLE " + role);
        }
    }

    /** A database's own settings, privileges, connection limit and comment, as one comparable line. */
    private String databaseProperties(String db) throws SQLException {
        return databaseProperties(dbs, db);
    }

    static String databaseProperties(PostgresTestDatabases dbs, String db) throws SQLException {
        return dbs.queryString("postgres", "SELECT coalesce((SELECT string_agg(coalesce(r.rolname, '*') || ':' "
                + "|| array_to_string(s.setconfig, '|'), ' / ' ORDER BY r.rolname NULLS FIRST) FROM pg_db_role_setting s "
                + "LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = d.oid), '') || ' # ' "
                + "|| coalesce((SELECT string_agg(coalesce(g.rolname, 'PUBLIC') || '=' || a.privilege_type || '/' "
                + "|| a.is_grantable, ',' ORDER BY 1) FROM aclexplode(d.datacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee), "
                + "'default') || ' # ' || d.datconnlimit || ' # ' || coalesce(shobj_description(d.oid, 'pg_database'), '') "
                + "FROM pg_database d WHERE d.datname = '" + db + "'");
    }

    @Test
    void theDatabasesOwnSettingsPrivilegesAndCommentAreCarriedByBothStrategies() throws Exception {
        String role = dev.promoter.testing.TestServers.uniqueName("promoter_app");
        String live = dbs.create("pg_clone_live");
        String q = PostgresDialect.quoteIdentifier(live);
        dbs.exec(live, "CREATE ROLE " + role + " LOGIN; CREATE SCHEMA app; CREATE TABLE app.t (id int); "
                + "ALTER DATABASE " + q + " SET search_path = \"$user\", app, \"Odd, \"\"name\"\"\", public; "
                + "ALTER DATABASE " + q + " SET statement_timeout = '5s'; "
                + "ALTER DATABASE " + q + " SET \"promoter_test.tenant\" = 'o''brien'; "
                + "ALTER ROLE " + role + " IN DATABASE " + q + " SET work_mem = '8MB'; "
                + "REVOKE ALL ON DATABASE " + q + " FROM PUBLIC; "
                + "GRANT CONNECT, TEMPORARY ON DATABASE " + q + " TO " + role + " WITH GRANT OPTION; "
                + "COMMENT ON DATABASE " + q + " IS 'the shop''s'; ALTER DATABASE " + q + " CONNECTION LIMIT 50");
        String expected = databaseProperties(live);
        assertThat(expected).contains("*:search_path=\"$user\", app, \"Odd, \"\"name\"\"\", public|statement_timeout=5s|"
                + "promoter_test.tenant=o'brien / " + role + ":work_mem=8MB # ", role + "=CONNECT/true",
                " # 50 # the shop's").doesNotContain("PUBLIC=");
        try {
            for (dev.promoter.core.spi.CloneStrategy strategy : dev.promoter.core.spi.CloneStrategy.values()) {
                String staging = dbs.track(dbs.create("pg_clone_stg"));
                // with the write freeze, whose own settings on live must not reach staging
                Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, true,
                        Duration.ofSeconds(5), strategy, null), ProgressListener.NONE);
                assertThat(databaseProperties(live)).contains("default_transaction_read_only=on");
                snap.freeze().release();
                assertThat(databaseProperties(live)).as("live after the freeze").isEqualTo(expected);
                assertThat(databaseProperties(staging)).as(strategy.name()).isEqualTo(expected);
                assertThat(dbs.queryString(staging, "SHOW search_path")).isEqualTo("\"$user\", app, \"Odd, \"\"name\"\"\", public");
                assertThat(dbs.queryString(staging, "SHOW default_transaction_read_only")).isEqualTo("off");
            }
        } finally {
            dbs.dropAll();
            dbs.exec("postgres", "DROP ROLE " + role);
        }
    }

    @Test
    void theApplicationsTimeoutsSetOnLiveDoNotCutTheToolsOwnSessions(@TempDir Path dir) throws Exception {
        String live = dbs.createZoo("pg_clone_live", "CREATE TABLE big (id int PRIMARY KEY, note text); "
                + "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g");
        Introspector in = dialect.introspector();
        Map<TableRef, TableChecksum> atStart = checksums(dbs, in, live);
        // what applications are held to: a statement may run 20 ms, a session may idle 300 ms; copying and
        // checksumming big takes longer, and the snapshot's transaction and staging's session idle through the copy
        String q = PostgresDialect.quoteIdentifier(live);
        dbs.exec(live, "ALTER DATABASE " + q + " SET statement_timeout = '20ms'; "
                + "ALTER DATABASE " + q + " SET idle_in_transaction_session_timeout = '300ms'; "
                + "ALTER DATABASE " + q + " SET idle_session_timeout = '300ms'");
        AtomicBoolean slept = new AtomicBoolean();
        ProgressListener slow = new ProgressListener() {
            @Override
            public void tableFinished(TableRef table, long rows, long bytes) {
                if (slept.compareAndSet(false, true)) {
                    try {
                        Thread.sleep(600);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        for (dev.promoter.core.spi.CloneStrategy strategy : dev.promoter.core.spi.CloneStrategy.values()) {
            String staging = dbs.track(dbs.create("pg_clone_stg"));
            var backups = new dev.promoter.core.backup.Backups(dialect.backupTool(), java.time.Clock.systemUTC());
            var writer = dev.promoter.core.backup.Backups.prepare(dir.resolve(strategy.name()));
            slept.set(false);
            Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                    Duration.ofSeconds(5), strategy, writer), slow);
            assertThat(snap.tables()).as(strategy.name()).isEqualTo(atStart);
            Map<TableRef, Long> rows = new TreeMap<>();
            snap.tables().forEach((t, c) -> rows.put(t, c.rows()));
            backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rows);
            String target = dbs.create("pg_clone_restored");
            backups.restore(dir.resolve(strategy.name()), dbs.spec(target), ProgressListener.NONE);
            try (Handle s = Jdbi.open(dbs.open(staging)); Handle r = Jdbi.open(dbs.open(target))) {
                assertThat(checksums(in, s)).as(strategy.name()).isEqualTo(atStart);
                assertThat(checksums(in, r)).as(strategy.name() + " restored").isEqualTo(atStart);
            }
            // the applications' limits are carried, not changed, on staging and on the restored database
            for (String db : java.util.List.of(live, staging, target)) {
                assertThat(databaseProperties(db)).as(db).contains("statement_timeout=20ms",
                        "idle_in_transaction_session_timeout=300ms", "idle_session_timeout=300ms");
            }
        }
    }

    /** A database in {@code encoding} with the C locale (a SQL_ASCII one cannot take another). */
    private String createIn(String prefix, String encoding) throws SQLException {
        String name = dbs.track(dev.promoter.testing.TestServers.uniqueName(prefix));
        dbs.exec("postgres", "CREATE DATABASE " + PostgresDialect.quoteIdentifier(name) + " TEMPLATE template0 ENCODING '"
                + encoding + "' LC_COLLATE 'C' LC_CTYPE 'C'");
        return name;
    }

    @Test
    void aSqlAsciiDatabasesBytesAreCarriedAsTheyAre(@TempDir Path dir) throws Exception {
        String live = createIn("pg_clone_live", "SQL_ASCII");
        // bytes that are no text in any encoding the server could convert to UTF-8
        dbs.exec(live, "CREATE TABLE raw (id int PRIMARY KEY, s text, v varchar(20)); "
                + "INSERT INTO raw VALUES (1, convert_from('\\xfffe2072617720c3'::bytea, 'SQL_ASCII'), 'plain'), (2, NULL, '')");
        String bytes = "SELECT string_agg(id || ':' || coalesce(encode(convert_to(s, 'SQL_ASCII'), 'hex'), '-'), ',' ORDER BY id) FROM raw";
        assertThat(dbs.queryString(live, bytes)).isEqualTo("1:fffe2072617720c3,2:-");
        Introspector in = dialect.introspector();
        Map<TableRef, TableChecksum> atStart = checksums(dbs, in, live);
        for (dev.promoter.core.spi.CloneStrategy strategy : dev.promoter.core.spi.CloneStrategy.values()) {
            String staging = createIn("pg_clone_stg", "SQL_ASCII");
            var backups = new dev.promoter.core.backup.Backups(dialect.backupTool(), java.time.Clock.systemUTC());
            var writer = dev.promoter.core.backup.Backups.prepare(dir.resolve(strategy.name()));
            Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                    Duration.ofSeconds(5), strategy, writer), ProgressListener.NONE);
            assertThat(snap.tables()).as(strategy.name()).isEqualTo(atStart);
            Map<TableRef, Long> rows = new TreeMap<>();
            snap.tables().forEach((t, c) -> rows.put(t, c.rows()));
            backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rows);
            String target = createIn("pg_clone_restored", "SQL_ASCII");
            backups.restore(dir.resolve(strategy.name()), dbs.spec(target), ProgressListener.NONE);
            for (String db : java.util.List.of(staging, target)) {
                assertThat(dbs.queryString(db, bytes)).as(strategy + " " + db).isEqualTo("1:fffe2072617720c3,2:-");
                assertThat(checksums(dbs, in, db)).as(strategy + " " + db).isEqualTo(atStart);
            }
        }
    }

    /** On a server of the test's own: the shared one runs with wal_level = replica, which allows no logical slot. */
    @Test
    void aLogicalReplicationSlotOnLiveIsRefusedBeforeAnythingIsCopied() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start("wal_level=logical", "max_replication_slots=4", "max_wal_senders=4")) {
            try (java.sql.Connection c = dev.promoter.core.db.Connections.open(pg.spec("postgres"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE live");
                st.execute("CREATE DATABASE other");
            }
            try (java.sql.Connection other = dev.promoter.core.db.Connections.open(pg.spec("other"));
                 java.sql.Statement st = other.createStatement()) {
                st.execute("SELECT pg_create_logical_replication_slot('elsewhere', 'pgoutput')");
            }
            dialect.cloner().refuseUnsupported(pg.spec("live"), dev.promoter.core.spi.CloneStrategy.ONLINE); // another database's slot is not live's
            try (java.sql.Connection c = dev.promoter.core.db.Connections.open(pg.spec("live"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("SELECT pg_create_logical_replication_slot('cdc_orders', 'pgoutput')");
                assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(pg.spec("live"), dev.promoter.core.spi.CloneStrategy.ONLINE))
                        .isInstanceOf(dev.promoter.core.PromoterException.class)
                        .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                                .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                        .hasMessageContaining("logical replication slots: cdc_orders (pgoutput)")
                        .hasMessageContaining("pg_drop_replication_slot").message().doesNotContain("elsewhere");
                st.execute("SELECT pg_drop_replication_slot('cdc_orders')");
            }
            dialect.cloner().refuseUnsupported(pg.spec("live"), dev.promoter.core.spi.CloneStrategy.ONLINE);
        }
    }

    /**
     * What a login that is no superuser must be allowed to do with live itself, each refused in preflight with its
     * grant until granted: create databases, act as live's owner, set the freeze's mark (only with the freeze), end
     * another role's session on live. A superuser passes at every step.
     */
    @Test
    void whatTheLoginMayNotDoWithLiveItselfIsRefusedWithItsGrant() throws Exception {
        String live = dbs.create("pg_clone_live");
        String ops = dbs.role("promoter_priv", "LOGIN");
        String app = dbs.role("promoter_app", "LOGIN");
        String owner;
        try (Connection c = dbs.open(live); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            owner = rs.getString(1);
        }
        dev.promoter.core.db.ConnectionSpec asOps = dbs.as(ops, live);
        dev.promoter.core.spi.CloneStrategy online = dev.promoter.core.spi.CloneStrategy.ONLINE;
        try {
            assertThatThrownBy(() -> dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, true))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("The login " + ops + " may not create databases")
                    .hasMessageContaining("ALTER ROLE " + ops + " CREATEDB");
            dbs.exec("postgres", "ALTER ROLE " + ops + " CREATEDB");

            assertThatThrownBy(() -> dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, true))
                    .hasMessageContaining("The login " + ops + " does not act as the owner of live \"" + live
                            + "\" (its owner is " + owner + ")")
                    .hasMessageContaining("GRANT " + owner + " TO " + ops);
            dbs.exec("postgres", "ALTER DATABASE " + live + " OWNER TO " + ops);

            assertThatThrownBy(() -> dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, true))
                    .hasMessageContaining("may not set the custom parameter promoter.frozen_from")
                    .hasMessageContaining("GRANT SET ON PARAMETER promoter.frozen_from TO " + ops)
                    .hasMessageContaining("--allow-writes");
            dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, false); // no freeze, no mark
            dbs.exec("postgres", "GRANT SET ON PARAMETER promoter.frozen_from TO " + ops);
            dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, true);

            try (Connection appSession = Connections.open(dbs.as(app, live))) {
                int pid = PostgresSessions.backendPid(appSession);
                assertThatThrownBy(() -> dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, false))
                        .hasMessageContaining("Live \"" + live + "\" has 1 session(s) that the login " + ops
                                + " may not end: " + pid + " " + app)
                        .hasMessageContaining("GRANT pg_signal_backend TO " + ops)
                        .message().doesNotContain("a superuser's sessions");
                dialect.cloner().refuseMissingPrivileges(dbs.spec(live), java.util.Map.of(), online, true); // a superuser may end it
                dbs.exec("postgres", "GRANT pg_signal_backend TO " + ops);
                dialect.cloner().refuseMissingPrivileges(asOps, java.util.Map.of(), online, true);
                assertThat(appSession.isValid(2)).as("a check ends no session").isTrue();
            }
        } finally {
            dbs.exec("postgres", "REVOKE SET ON PARAMETER promoter.frozen_from FROM " + ops);
        }
    }

    /** A table the login may not read would stop the clone part way: refused in preflight (the template copy too). */
    @Test
    void aTableTheLoginMayNotReadIsRefusedBeforeAnythingIsCopied() throws Exception {
        String login = dev.promoter.testing.TestServers.uniqueName("promoter_ops");
        String other = dev.promoter.testing.TestServers.uniqueName("promoter_other");
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE ROLE " + login + " LOGIN; CREATE ROLE " + other + "; "
                + "CREATE TABLE mine (id int); ALTER TABLE mine OWNER TO " + login + "; "
                + "CREATE TABLE \"Theirs\" (id int); ALTER TABLE \"Theirs\" OWNER TO " + other);
        dev.promoter.core.db.ConnectionSpec asLogin = new dev.promoter.core.db.ConnectionSpec(dbs.spec(live).url(), login,
                dev.promoter.core.db.Secret.of(""));
        try {
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(asLogin,
                    dev.promoter.core.spi.CloneStrategy.TEMPLATE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("may not read tables of live")
                    .hasMessageContaining("table public.\"Theirs\" (owner " + other + ")")
                    .hasMessageContaining("GRANT " + other + " TO " + login).message().doesNotContain("mine");
            dbs.exec(live, "GRANT " + other + " TO " + login);
            dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.TEMPLATE);
        } finally {
            dbs.dropAll();
            dbs.exec("postgres", "DROP ROLE " + login + "; DROP ROLE " + other);
        }
    }

    /**
     * The online clone restores every object with its owner, which needs membership of each owning role: objects of a
     * role the login is not a member of (the bootstrap superuser's too, which pg_shdepend does not record) are named
     * in preflight, the clone would indeed stop at them, and once the login may own them the same clone goes through.
     * The template copy only reads: it needs no membership, but every large object must be readable.
     */
    @Test
    void objectsOfRolesTheLoginIsNotAMemberOfAreRefusedBeforeTheOnlineClone() throws Exception {
        String login = dbs.role("promoter_ops", "LOGIN");
        String other = dbs.role("promoter_other", "");
        String live = dbs.create("pg_clone_live");
        String staging = dbs.create("pg_clone_stg");
        dbs.exec("postgres", "ALTER DATABASE \"" + live
                + "\" OWNER TO " + login + "; ALTER DATABASE \"" + staging + "\" OWNER TO " + login);
        long theirs;
        try {
            dbs.exec(live, "CREATE TABLE mine (id int PRIMARY KEY, note text); INSERT INTO mine VALUES (1, 'kept'); "
                    + "ALTER TABLE mine OWNER TO " + login + "; "
                    + "CREATE SCHEMA audit AUTHORIZATION " + other + "; GRANT USAGE ON SCHEMA audit TO " + login + "; "
                    + "CREATE TABLE audit.trail (id serial PRIMARY KEY, note text); INSERT INTO audit.trail (note) VALUES ('x'); "
                    + "ALTER TABLE audit.trail OWNER TO " + other + "; GRANT SELECT ON audit.trail, audit.trail_id_seq TO " + login + "; "
                    + "CREATE TYPE mood AS ENUM ('calm', 'busy'); ALTER TYPE mood OWNER TO " + other + "; "
                    + "CREATE VIEW v AS SELECT id FROM mine; ALTER VIEW v OWNER TO " + other + "; "
                    + "CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'; " // the bootstrap superuser's
                    + "ALTER DEFAULT PRIVILEGES FOR ROLE " + other + " GRANT SELECT ON TABLES TO " + login);
            try (Connection c = dbs.open(live); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT lo_from_bytea(0, 'scan'::bytea)")) {
                rs.next();
                theirs = rs.getLong(1);
                st.execute("ALTER LARGE OBJECT " + theirs + " OWNER TO " + other);
            }
            dev.promoter.core.db.ConnectionSpec asLogin = dbs.as(login, live);
            dev.promoter.core.db.ConnectionSpec stagingAsLogin = dbs.as(login, staging);
            String bootstrap = dbs.queryString(live, "SELECT quote_ident(rolname) FROM pg_roles WHERE oid = 10");

            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("own 8 object(s) of live")
                    .hasMessageContaining("schema audit (owner " + other + ")")
                    .hasMessageContaining("table audit.trail (owner " + other + ")")
                    .hasMessageContaining("sequence audit.trail_id_seq (owner " + other + ")")
                    .hasMessageContaining("type mood (owner " + other + ")")
                    .hasMessageContaining("view v (owner " + other + ")")
                    .hasMessageContaining("function answer() (owner " + bootstrap + ")")
                    .hasMessageContaining("large object " + theirs + " (owner " + other + ")")
                    .hasMessageContaining("default privileges on new relations belonging to role " + other)
                    .hasMessageContaining("--clone-strategy template").message().doesNotContain("table mine");
            // what the refusal spares: the same clone stops at the first of them, part way
            assertThatThrownBy(() -> dialect.cloner().cloneDatabase(new CloneRequest(asLogin, stagingAsLogin, 1, false,
                    Duration.ofSeconds(5)), ProgressListener.NONE)).hasMessageContaining("must be member of role");
            dbs.exec("postgres", "DROP DATABASE \"" + staging + "\" WITH (FORCE)");
            dbs.exec("postgres", "CREATE DATABASE \"" + staging + "\" OWNER " + login);

            // the template copy needs no membership, only reads: the large object is the one thing it may not read
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.TEMPLATE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .hasMessageContaining("may not read 1 large object(s)")
                    .hasMessageContaining(theirs + " (owner " + other + ")")
                    .hasMessageContaining("GRANT SELECT ON LARGE OBJECT");
            dbs.exec(live, "GRANT SELECT ON LARGE OBJECT " + theirs + " TO " + login);
            dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.TEMPLATE);

            dbs.exec(live, "GRANT " + other + " TO " + login + "; ALTER FUNCTION answer() OWNER TO " + login);
            // a member now, but the type and the view are the other role's in public, where it may not create
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .hasMessageContaining("2 object(s) of live")
                    .hasMessageContaining("type public.mood (owner " + other + "; the schema: staging's owner)")
                    .hasMessageContaining("view public.v (owner " + other + "; the schema: staging's owner)")
                    .hasMessageContaining("ALTER ... SET SCHEMA");
            assertThatThrownBy(() -> dialect.cloner().cloneDatabase(new CloneRequest(asLogin, stagingAsLogin, 1, false,
                    Duration.ofSeconds(5)), ProgressListener.NONE)).hasMessageContaining("permission denied for schema public");
            dbs.exec("postgres", "DROP DATABASE \"" + staging + "\" WITH (FORCE)");
            dbs.exec("postgres", "CREATE DATABASE \"" + staging + "\" OWNER " + login);
            dbs.exec(live, "ALTER TYPE mood SET SCHEMA audit; ALTER VIEW v SET SCHEMA audit");
            dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.ONLINE);
            Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(asLogin, stagingAsLogin, 1, false,
                    Duration.ofSeconds(5)), ProgressListener.NONE);
            assertThat(checksums(dbs, introspector, staging)).isEqualTo(snap.tables()).isEqualTo(checksums(dbs, introspector, live));
            assertThat(dbs.queryString(staging, "SELECT tableowner FROM pg_tables WHERE schemaname = 'audit' AND tablename = 'trail'"))
                    .isEqualTo(other);
            assertThat(dbs.queryString(staging, "SELECT convert_from(lo_get(" + theirs + "), 'UTF8') || ' ' || "
                    + "pg_get_userbyid(lomowner) FROM pg_largeobject_metadata WHERE oid = " + theirs)).isEqualTo("scan " + other);
        } finally {
            dbs.dropAll();
        }
    }

    /** A schema the login has no USAGE of hides its tables, even ones the login was granted SELECT on. */
    @Test
    void aSchemaTheLoginMayNotUseIsRefusedBeforeAnythingIsCopied() throws Exception {
        String login = dbs.role("promoter_ops", "LOGIN");
        String other = dbs.role("promoter_other", "");
        String live = dbs.create("pg_clone_live");
        try {
            dbs.exec(live, "CREATE SCHEMA vault AUTHORIZATION " + other + "; CREATE TABLE vault.keys (id int); "
                    + "ALTER TABLE vault.keys OWNER TO " + login);
            dev.promoter.core.db.ConnectionSpec asLogin = dbs.as(login, live);
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.TEMPLATE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .hasMessageContaining("table vault.keys (owner " + login + ", no USAGE on schema vault)")
                    .hasMessageContaining("GRANT " + other + " TO " + login);
            dbs.exec(live, "GRANT USAGE ON SCHEMA vault TO " + login);
            dialect.cloner().refuseUnsupported(asLogin, dev.promoter.core.spi.CloneStrategy.TEMPLATE);
        } finally {
            dbs.dropAll();
        }
    }

    /**
     * The shared server is local: the online clone needs live's size again in the data directory's base/ and up to
     * max_wal_size in pg_wal/; the file copy only the former. A login that may not read data_directory is told why
     * the disk was not checked, with the grant.
     */
    @Test
    void stagingRoomIsLivesSizeInItsTablespaceAndTheWalOfTheCopy() throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE TABLE t (id int, note text); INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
        java.nio.file.Path data = java.nio.file.Path.of(dbs.queryString(live, "SHOW data_directory"));
        long size = Long.parseLong(dbs.queryString(live, "SELECT pg_database_size(current_database())"));
        long maxWal = Long.parseLong(dbs.queryString(live, "SELECT pg_size_bytes(current_setting('max_wal_size'))"));

        var online = dialect.cloner().stagingRoom(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE);
        assertThat(online.unchecked()).isNull();
        assertThat(online.needs()).hasSize(2);
        assertThat(online.needs().get(0).folder()).isEqualTo(data.resolve("base"));
        assertThat(online.needs().get(0).bytes()).isBetween(size * 8 / 10, size);
        assertThat(online.needs().get(0).what()).contains("tablespace \"pg_default\"");
        assertThat(online.needs().get(1).folder()).isEqualTo(data.resolve("pg_wal"));
        assertThat(online.needs().get(1).bytes()).isEqualTo(Math.min(size, maxWal));
        var template = dialect.cloner().stagingRoom(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.TEMPLATE);
        assertThat(template.needs()).extracting(n -> n.folder()).containsExactly(data.resolve("base"));

        String login = dbs.role("promoter_ops", "LOGIN");
        var asLogin = dialect.cloner().stagingRoom(dbs.as(login, live), dev.promoter.core.spi.CloneStrategy.ONLINE);
        assertThat(asLogin.needs()).isEmpty();
        assertThat(asLogin.unchecked()).contains("GRANT pg_read_all_settings", "MB (live's size)");
        assertThat(asLogin.backupBytes()).isEqualTo(online.backupBytes()); // the backup folder is checked anyway
        dbs.dropAll();
    }

    /** Preflight counts the run's backup with staging where they share a disk: its estimate must cover the files. */
    @Test
    void theBackupEstimateCoversTheBackupTheCloneWrites(@TempDir Path dir) throws Exception {
        String live = dbs.create("pg_clone_live");
        dbs.exec(live, "CREATE TABLE t (id int, note text, doc bytea); INSERT INTO t SELECT g, repeat('x', 200), "
                + "decode(md5(g::text), 'hex') FROM generate_series(1, 20000) g; CREATE TABLE empty (id int); "
                + "SELECT lo_from_bytea(0, decode(repeat('ab', 300000), 'hex'))");
        long estimate = dialect.cloner().stagingRoom(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE).backupBytes();
        String staging = dbs.create("pg_clone_stg");
        dev.promoter.core.backup.BackupWriter writer = dev.promoter.core.backup.Backups.prepare(dir.resolve("b"));
        dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false, Duration.ofSeconds(5),
                dev.promoter.core.spi.CloneStrategy.ONLINE, writer), ProgressListener.NONE);
        long written;
        try (var files = java.nio.file.Files.walk(dir.resolve("b"))) {
            written = files.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(written).isGreaterThan(4_000_000L);
        assertThat(estimate).isGreaterThanOrEqualTo(written).isLessThan(written * 2);
        dev.promoter.core.backup.Backups.discard(writer);
    }

    @Test
    void aTempFileLimitTooSmallForTheLargestIndexIsRefusedBeforeTheOnlineClone() throws Exception {
        String live = dbs.create("pg_clone_live");
        String ops = dbs.role("promoter_tfl", "LOGIN");
        dbs.exec(live, "CREATE TABLE t (id int, note text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100000) g; "
                + "CREATE INDEX t_note ON t (note); ALTER TABLE t OWNER TO " + ops + "; GRANT CREATE ON SCHEMA public TO " + ops);
        dbs.exec("postgres", "ALTER ROLE " + ops + " SET temp_file_limit = '1MB'; ALTER ROLE " + ops
                + " SET maintenance_work_mem = '1MB'");
        // what the build on staging would meet, as that login
        try (Connection c = Connections.open(dbs.as(ops, live)); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("CREATE INDEX t_note_again ON t (note)"))
                    .hasMessageContaining("temporary file size exceeds temp_file_limit");
        }

        assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(dbs.as(ops, live), dev.promoter.core.spi.CloneStrategy.ONLINE))
                .isInstanceOf(dev.promoter.core.PromoterException.class)
                .hasMessageContaining("The login " + ops + " has temp_file_limit = 1MB, but live")
                .hasMessageContaining("largest index, t_note, is ")
                .hasMessageContaining("ALTER ROLE " + ops + " SET temp_file_limit = -1");
        dialect.cloner().refuseUnsupported(dbs.as(ops, live), dev.promoter.core.spi.CloneStrategy.TEMPLATE);
        dialect.cloner().refuseUnsupported(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE); // a superuser
        dbs.exec("postgres", "ALTER ROLE " + ops + " SET temp_file_limit = -1");
        dialect.cloner().refuseUnsupported(dbs.as(ops, live), dev.promoter.core.spi.CloneStrategy.ONLINE);
    }

    /** On a server of the test's own: the shared one has max_prepared_transactions = 0, which allows none. */
    @Test
    void aPreparedTransactionOnLiveIsRefusedBeforeAnythingIsCopied() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start("max_prepared_transactions=4")) {
            try (java.sql.Connection c = dev.promoter.core.db.Connections.open(pg.spec("postgres"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE live");
            }
            try (java.sql.Connection c = dev.promoter.core.db.Connections.open(pg.spec("live"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders (id int PRIMARY KEY)");
                st.execute("BEGIN");
                st.execute("INSERT INTO orders VALUES (1)");
                st.execute("PREPARE TRANSACTION 'order-1'");
            }
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(pg.spec("live"), dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("1 prepared transaction(s)").hasMessageContaining("'order-1' (prepared ")
                    .hasMessageContaining("COMMIT PREPARED");
            try (java.sql.Connection c = dev.promoter.core.db.Connections.open(pg.spec("live"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("COMMIT PREPARED 'order-1'");
            }
            dialect.cloner().refuseUnsupported(pg.spec("live"), dev.promoter.core.spi.CloneStrategy.ONLINE);
        }
    }

    @Test
    void anEnabledSubscriptionOnLiveIsRefusedBeforeAnythingIsCopied() throws Exception {
        String live = dbs.create("pg_clone_live");
        String sub = dev.promoter.testing.TestServers.uniqueName("promoter_sub");
        // no publisher is reached: connect = false makes it disabled, without a slot being created
        dbs.exec(live, "CREATE SUBSCRIPTION " + sub + " CONNECTION 'host=127.0.0.1 dbname=postgres' PUBLICATION p "
                + "WITH (connect = false)");
        try {
            dialect.cloner().refuseUnsupported(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE); // a disabled one is carried as it is
            dbs.exec(live, "ALTER SUBSCRIPTION " + sub + " ENABLE");
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(dbs.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("enabled subscriptions").hasMessageContaining(sub)
                    .hasMessageContaining("ALTER SUBSCRIPTION name DISABLE");
        } finally {
            dbs.exec(live, "ALTER SUBSCRIPTION " + sub + " DISABLE");
            dbs.exec(live, "ALTER SUBSCRIPTION " + sub + " SET (slot_name = NONE)");
            dbs.exec(live, "DROP SUBSCRIPTION " + sub);
        }
    }
}
