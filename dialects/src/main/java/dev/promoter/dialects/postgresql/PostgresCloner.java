package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clones live into an empty staging database from ONE snapshot. A coordinator connection on live opens a
 * REPEATABLE READ transaction, exports its snapshot ({@code pg_export_snapshot()}) and keeps it open to the
 * end. Every reader joins that snapshot: pg_dump (the schema, {@code --snapshot}) and the copy workers
 * ({@code SET TRANSACTION SNAPSHOT}). Order: pre-data schema (one transaction); data (tables largest first on
 * {@code parallelism} workers, large ones in block ranges from 3 workers on ({@link PostgresParallelCopy}), binary
 * COPY streamed live to staging and hashed on the way, which is the snapshot's checksum); the users' rows of
 * extension configuration tables ({@link PostgresExtensionRows}); large objects ({@link PostgresLargeObjects});
 * sequences; post-data (indexes, constraints, triggers, materialized view refresh; {@code pg_restore --jobs}
 * builds them in parallel). A large table's own indexes and keys are built as soon as its rows are in, while the
 * other tables are still copied ({@link PostgresEarlyPostData}); the rest of post-data waits for the whole copy.
 * ANALYZE runs after the migration, beside verify ({@link #refreshStatistics}).
 * <p>
 * With a backup requested, the same streams also go to the run's backup ({@link PostgresCopyBackup}), whose
 * {@code schema.dump} is the schema archive; without one, that archive (DDL only) is a temporary file.
 */
final class PostgresCloner implements Cloner {
    private final PostgresClientTools tools;
    private final long splitBlocks;
    private final long earlyPostDataBytes;

    PostgresCloner(PostgresClientTools tools) {
        this(tools, PostgresIntrospector.SPLIT_BLOCKS, PostgresEarlyPostData.FROM_BYTES);
    }

    /**
     * As above; tables of at least two pieces of {@code splitBlocks} blocks are copied in pieces, and tables of
     * {@code earlyPostDataBytes} or more get their indexes built as soon as they are copied (tests use small ones).
     */
    PostgresCloner(PostgresClientTools tools, long splitBlocks, long earlyPostDataBytes) {
        this.tools = tools;
        this.splitBlocks = splitBlocks;
        this.earlyPostDataBytes = earlyPostDataBytes;
    }

    /**
     * Both strategies write the run's backup from the data they read anyway ({@link PostgresCopyBackup}): the
     * online clone from the rows it streams, the template clone from the checksum reads of its copy.
     */
    @Override
    public boolean writesBackup(dev.promoter.core.spi.CloneStrategy strategy) {
        return true;
    }

    /** ANALYZE of the whole staging database (after the migration: the statistics the new live starts with). */
    @Override
    public void refreshStatistics(ConnectionSpec staging) {
        try (Connection c = Connections.open(staging); Statement st = c.createStatement()) {
            st.execute("ANALYZE");
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to ANALYZE staging " + PostgresUrl.parse(staging.url()).database()
                    + ": " + Connections.describe(e) + ". Live is unchanged; run again", e);
        }
    }

    /** What the login may not do with live itself ({@link PostgresPrivileges}). */
    @Override
    public void refuseMissingPrivileges(ConnectionSpec live, java.util.Map<String, String> made,
                                        dev.promoter.core.spi.CloneStrategy strategy, boolean freezeWrites) {
        String db = PostgresUrl.parse(live.url()).database();
        try (Connection c = Connections.open(live); Statement st = c.createStatement()) {
            PostgresPrivileges.refuseMissing(st, db, freezeWrites);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read what the login may do with live \"" + db + "\": "
                    + Connections.describe(e), e);
        }
    }

    /**
     * Refuses a live database with enabled subscriptions (logical replication): CREATE DATABASE ... TEMPLATE and
     * pg_dump both leave staging's copies disabled (pg_dump makes them with {@code connect = false}), so after
     * the switch the archive would go on receiving the publisher's changes and the new live would not.
     */
    /** The online clone also needs the login to be a member of every role owning an object of live. */
    @Override
    public void refuseUnsupported(ConnectionSpec live, dev.promoter.core.spi.CloneStrategy strategy) {
        String db = PostgresUrl.parse(live.url()).database();
        try (Connection c = Connections.open(live); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(quote_ident(subname), ', ' ORDER BY subname) "
                     + "FROM pg_subscription WHERE subenabled AND subdbid = "
                     + "(SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            String names = rs.getString(1);
            if (names != null) {
                throw PromoterException.refused("Live \"" + db + "\" has enabled subscriptions (logical replication): "
                        + names + ". Staging gets them disabled, so after the switch the archive would go on receiving "
                        + "the publisher's changes and the new live would not. Disable them first (ALTER SUBSCRIPTION "
                        + "name DISABLE), promote, then re-activate them on the new live as the pg_dump documentation "
                        + "describes (the archive keeps its own copy, disabled)");
            }
            refuseLogicalSlots(st, db);
            refusePreparedTransactions(st, db);
            if (strategy == dev.promoter.core.spi.CloneStrategy.ONLINE) {
                PostgresOwnership.refuseForeignOwners(st, db);
                PostgresOwnership.refuseMisplacedOwners(st, db);
                refuseTempFileLimit(st, db);
            }
            PostgresOwnership.refuseUnreadableTables(st, db);
            PostgresOwnership.refuseUnreadableLargeObjects(st, db);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read the subscriptions and replication slots of live \"" + db + "\": "
                    + Connections.describe(e), e);
        }
    }

    /**
     * A {@code temp_file_limit} on the login (set for its role; only a superuser may change it, so the tool's own
     * sessions cannot lift it) below the size of live's largest index, which also does not fit in
     * {@code maintenance_work_mem}: building that index on staging sorts about its size through temporary files, and
     * the server stops the build with "temporary file size exceeds temp_file_limit" after the whole copy. Refused
     * here instead, with the index and the figures.
     */
    private static void refuseTempFileLimit(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid), "
                + "CASE WHEN current_setting('temp_file_limit') = '-1' THEN -1 ELSE pg_size_bytes(current_setting('temp_file_limit')) END, "
                + "pg_size_bytes(current_setting('maintenance_work_mem')), current_setting('temp_file_limit'), "
                + "current_setting('maintenance_work_mem'), quote_ident(current_user), "
                + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                + "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'm') AND " + PostgresIntrospector.USER_RELATION
                + " ORDER BY 2 DESC LIMIT 1")) {
            if (!rs.next() || rs.getBoolean(8) || rs.getLong(3) < 0) {
                return;
            }
            long index = rs.getLong(2);
            if (index > rs.getLong(3) && index > rs.getLong(4)) {
                throw PromoterException.refused("The login " + rs.getString(7) + " has temp_file_limit = " + rs.getString(5)
                        + ", but live \"" + db + "\"'s largest index, " + rs.getString(1) + ", is "
                        + dev.promoter.core.spi.StagingRoom.mb(index) + " MB and maintenance_work_mem is " + rs.getString(6)
                        + ": building it on staging sorts about that much through temporary files, and the server would "
                        + "stop the build after the whole copy. As a superuser, lift the limit for the login (ALTER ROLE "
                        + rs.getString(7) + " SET temp_file_limit = -1, or a size above the index's), or use "
                        + "--clone-strategy template (a file copy builds no index). Nothing was copied");
            }
        }
    }

    /**
     * A prepared transaction (two-phase commit) waits for its transaction manager's COMMIT PREPARED, which needs no
     * session and is not stopped by the write freeze. Its writes are in no snapshot yet; committed after the switch,
     * they would land in the archive, and committed before it they make the switch refuse. Either way the run cannot
     * carry them: refused until they are resolved.
     */
    private static void refusePreparedTransactions(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*), string_agg(quote_literal(gid) || ' (prepared ' || "
                + "to_char(prepared, 'YYYY-MM-DD HH24:MI:SS TZ') || ' by ' || owner || ')', ', ' ORDER BY prepared) "
                + "FROM pg_prepared_xacts WHERE database = current_database()")) {
            rs.next();
            if (rs.getInt(1) > 0) {
                throw PromoterException.refused("Live \"" + db + "\" has " + rs.getInt(1) + " prepared transaction(s)"
                        + " (two-phase commit) waiting to be committed or rolled back: " + rs.getString(2) + ". Their writes"
                        + " are in no snapshot, and a COMMIT PREPARED after the switch would land in the archive. Let their"
                        + " transaction manager resolve them (or run COMMIT PREPARED / ROLLBACK PREPARED 'gid'), then run"
                        + " again");
            }
        }
    }

    /**
     * A logical replication slot belongs to its database, which the switch renames to the archive: the slot would go
     * on holding back WAL for the archive (filling the disk if nothing reads it), and its consumers (subscribers of a
     * publication, change-data-capture tools) connecting to live by name would find no slot there. Neither the file
     * copy nor pg_dump carries a slot, so there is nothing to switch with it: refused, with the way out.
     */
    private static void refuseLogicalSlots(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT string_agg(quote_ident(slot_name::text) || ' (' || plugin || CASE WHEN"
                + " active THEN ', in use' ELSE '' END || ')', ', ' ORDER BY slot_name) FROM pg_replication_slots"
                + " WHERE slot_type = 'logical' AND database = current_database()")) {
            rs.next();
            String slots = rs.getString(1);
            if (slots != null) {
                throw PromoterException.refused("Live \"" + db + "\" has logical replication slots: " + slots + ". A slot"
                        + " stays with its database, which the switch turns into the archive: it would go on holding back"
                        + " WAL there, and its consumers would find no slot on the new live. Stop each consumer, drop its"
                        + " slot (SELECT pg_drop_replication_slot('name')), promote, then create the slot on the new live"
                        + " and let the consumer catch up from there (a subscriber: ALTER SUBSCRIPTION ... REFRESH"
                        + " PUBLICATION WITH (copy_data = true) or a new subscription)");
            }
        }
    }

    @Override
    public dev.promoter.core.spi.StagingRoom stagingRoom(ConnectionSpec live, dev.promoter.core.spi.CloneStrategy strategy) {
        return PostgresStagingRoom.of(live, strategy);
    }

    /** Also lets connections in where a dead run left live refusing them ({@link PostgresHoldOff}). */
    @Override
    public String liftLeftovers(dev.promoter.core.spi.DatabaseServer server, java.time.Duration timeout) {
        PostgresServer pg = new PostgresServer(server.live());
        String connections = PostgresHoldOff.liftLeftover(pg);
        String freeze = PostgresWriteFreeze.liftLeftover(pg, timeout);
        return connections == null ? freeze : freeze == null ? connections : connections + "; " + freeze;
    }

    @Override
    public List<String> leftovers(dev.promoter.core.spi.DatabaseServer server) {
        PostgresServer pg = new PostgresServer(server.live());
        String live = pg.liveDatabase();
        try (Connection c = pg.admin()) {
            List<String> out = new java.util.ArrayList<>();
            if (PostgresWriteFreeze.setting(c, live, PostgresWriteFreeze.MARK) != null) {
                out.add("writes frozen: database \"" + live + "\" is read-only (default_transaction_read_only = on, "
                        + "marked " + PostgresWriteFreeze.MARK + "); every write fails with SQLSTATE 25006");
            }
            if (PostgresWriteFreeze.setting(c, live, PostgresHoldOff.MARK) != null) {
                out.add("connections refused: database \"" + live + "\" has ALLOW_CONNECTIONS false (marked "
                        + PostgresHoldOff.MARK + "); applications cannot connect");
            }
            return out;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read what runs left on database \"" + live + "\": "
                    + Connections.describe(e), e);
        }
    }

    @Override
    public Snapshot cloneDatabase(CloneRequest request, ProgressListener progress) {
        if (request.strategy() == dev.promoter.core.spi.CloneStrategy.TEMPLATE) {
            return PostgresTemplateCloner.cloneByTemplate(request, tools, progress);
        }
        PostgresServer server = new PostgresServer(request.live());
        String staging = PostgresUrl.parse(request.staging().url()).database();
        WriteFreeze freeze = WriteFreeze.NONE;
        Path schema = null;
        try (Connection stagingAdmin = Connections.open(request.staging())) {
            refuseNonEmpty(stagingAdmin, staging);
            if (request.backup() != null) {
                // before the freeze ends live's sessions
                try (Connection c = Connections.open(request.live())) {
                    PostgresCopyBackup.ensureRoom(request.backup(), c);
                }
            }
            int major = stagingAdmin.getMetaData().getDatabaseMajorVersion();
            Path pgDump = tools.find("pg_dump", major);
            Path pgRestore = tools.find("pg_restore", major);
            if (request.freezeWrites()) {
                // before the coordinator connects: the freeze ends every session on live
                freeze = PostgresWriteFreeze.take(server, request.lockTimeout());
                progress.message("Writes frozen: " + freeze.describe());
            }
            schema = request.backup() != null ? request.backup().path(PostgresCopyBackup.SCHEMA)
                    : Files.createTempFile("promoter-schema-", ".dump");
            return cloneFrom(request, server, staging, stagingAdmin, pgDump, pgRestore, schema, freeze, progress);
        } catch (SQLException | IOException | RuntimeException e) {
            freeze.release();
            if (e instanceof PromoterException p) {
                throw p;
            }
            throw PromoterException.failed("Unable to clone \"" + server.liveDatabase() + "\" into \"" + staging
                    + "\": " + (e instanceof SQLException s ? Connections.describe(s) : e.toString())
                    + ". Production is untouched; drop staging and retry", e);
        } finally {
            if (request.backup() == null) {
                deleteQuietly(schema);
            }
        }
    }

    private Snapshot cloneFrom(CloneRequest request, PostgresServer server, String staging, Connection stagingAdmin,
                               Path pgDump, Path pgRestore, Path schema, WriteFreeze freeze, ProgressListener progress)
            throws SQLException, IOException {
        try (Connection coordinator = Connections.open(request.live())) {
            PostgresWatermark counters = PostgresWatermark.readCounters(coordinator);
            coordinator.setAutoCommit(false);
            String snapshotId;
            try (Statement st = coordinator.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    snapshotId = rs.getString(1);
                }
            }
            Instant takenAt = Instant.now();
            lockTables(coordinator, request);
            String watermark = counters.withFiles(coordinator).encode();
            progress.message("Snapshot " + snapshotId + " of \"" + server.liveDatabase() + "\" taken at " + takenAt);

            ConnectionSpec live = request.live();
            long t0 = System.nanoTime();
            PostgresClientTools.run("dump the schema of \"" + server.liveDatabase() + "\"", PostgresClientTools.builder(live,
                    List.of(pgDump.toString(), "--format=custom", "--section=pre-data", "--section=post-data",
                            "--snapshot=" + snapshotId, "--lock-wait-timeout=" + request.lockTimeout().toMillis(),
                            "--no-sync", "--file=" + schema)));
            progress.message("Schema of the snapshot dumped in " + secondsSince(t0));
            t0 = System.nanoTime();
            restore(pgRestore, request.staging(), staging, schema, "pre-data", request.parallelism());
            progress.message("Tables, types and functions (pre-data) made in staging in " + secondsSince(t0));
            Map<TableRef, Long> sizes = bySize(coordinator);
            try (PostgresEarlyPostData early = PostgresEarlyPostData.plan(coordinator, pgRestore, schema, sizes,
                    earlyPostDataBytes, request.staging(), staging, progress)) {
                return copyAndFinish(request, server, staging, stagingAdmin, coordinator, snapshotId, takenAt, watermark,
                        sizes, pgRestore, schema, early, freeze, progress);
            }
        }
    }

    private Snapshot copyAndFinish(CloneRequest request, PostgresServer server, String staging, Connection stagingAdmin,
                                   Connection coordinator, String snapshotId, Instant takenAt, String watermark,
                                   Map<TableRef, Long> sizes, Path pgRestore, Path schema, PostgresEarlyPostData early,
                                   WriteFreeze freeze, ProgressListener progress) throws SQLException, IOException {
        long t0 = System.nanoTime();
        BackupWriter backup = request.backup();
        Map<TableRef, PostgresCopyBackup.TableFile> files = new ConcurrentHashMap<>();
        Map<TableRef, TableChecksum> sums = new PostgresParallelCopy(request, snapshotId, splitBlocks).run(
                sizes, PostgresIntrospector.shapes(coordinator), files, progress, early::tableCopied);
        progress.message("Rows of " + sums.size() + " table(s) copied in " + secondsSince(t0) + " on "
                + request.parallelism() + " session(s)");
        List<PostgresExtensionRows.Copied> extensionRows = PostgresExtensionRows.copy(coordinator, stagingAdmin, backup);
        reportExtensionRows(extensionRows, progress);
        PostgresLargeObjects.Copied objects = copyLargeObjects(coordinator, stagingAdmin, backup);
        if (objects.objects() > 0) {
            progress.message("Copied " + objects.objects() + " large object(s), " + objects.bytes()
                    + " bytes, from the snapshot; staging's read back equal (" + objects.checksum().text() + ")");
        }
        List<PostgresCopyBackup.SequenceValue> sequences = copySequences(coordinator, stagingAdmin);
        if (backup != null) {
            PostgresCopyBackup.writeLayout(backup, PostgresCopyBackup.Layout.of(coordinator,
                    new TreeMap<>(files).values().stream().toList(), extensionRows, sequences,
                    objects.objects() > 0 ? PostgresCopyBackup.LARGE_OBJECTS : null));
            PostgresDatabaseProperties.keep(backup, coordinator, server.liveDatabase());
        }
        t0 = System.nanoTime();
        Path rest = early.rest();
        long waited = System.nanoTime() - t0;
        PostgresClientTools.restoreSection(pgRestore, request.staging(), staging, schema, "post-data",
                request.parallelism(), rest, "restore the post-data schema into \"" + staging + "\"");
        progress.message("Indexes, constraints and triggers (post-data) built in " + secondsSince(t0)
                + (early.built() == 0 ? "" : String.format(java.util.Locale.ROOT,
                " (%.2f s of it waiting for the early builds of %d large table(s))", waited / 1e9, early.built())));
        carryDatabaseProperties(stagingAdmin, server.liveDatabase(), staging, progress);
        PostgresTableCopier.flushCommits(stagingAdmin);
        coordinator.commit();
        return Snapshot.of(takenAt, watermark, sums, freeze);
    }

    /** Live's database-level settings, privileges, comment and connection limit, onto staging. */
    static void carryDatabaseProperties(Connection admin, String live, String staging, ProgressListener progress)
            throws SQLException {
        List<String> carried = PostgresDatabaseProperties.copy(admin, live, staging);
        if (!carried.isEmpty()) {
            progress.message("Carried the database's own properties of \"" + live + "\" to staging: "
                    + String.join(", ", carried));
        }
    }

    private static String secondsSince(long t0) {
        return String.format(java.util.Locale.ROOT, "%.2f s", (System.nanoTime() - t0) / 1e9);
    }

    private static void refuseNonEmpty(Connection staging, String name) throws SQLException {
        try (Statement st = staging.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND "
                + PostgresIntrospector.USER_RELATION)) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw PromoterException.refused("Staging database \"" + name + "\" is not empty (" + rs.getLong(1)
                        + " relations): a clone needs a new, empty database. Drop it and create it again");
            }
        }
    }

    /** Says which extension configuration tables had users' rows carried, and how many. */
    static void reportExtensionRows(List<PostgresExtensionRows.Copied> copied, ProgressListener progress) {
        List<String> carried = copied.stream().filter(c -> c.checksum().rows() > 0)
                .map(c -> c.config().display() + " (" + c.checksum().rows() + " rows)").toList();
        if (!carried.isEmpty()) {
            progress.message("Carried the users' rows of extension configuration tables: " + String.join("; ", carried));
        }
    }

    /**
     * ACCESS SHARE on every table and extension configuration table, as pg_dump takes: DDL on live waits until
     * the clone ends.
     */
    private static void lockTables(Connection c, CloneRequest request) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND ("
                + PostgresIntrospector.USER_RELATION + " OR " + PostgresExtensionRows.CONFIGURATION + ")")) {
            while (rs.next()) {
                names.add(PostgresIntrospector.qualified(new TableRef(rs.getString(1), rs.getString(2))));
            }
        }
        if (names.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = " + Math.max(1, request.lockTimeout().toMillis()));
            st.execute("LOCK TABLE " + String.join(", ", names) + " IN ACCESS SHARE MODE");
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw PromoterException.refused("Unable to lock the tables of live for the snapshot: "
                        + Connections.describe(e) + ". The login may not read every table; run as their owner or a"
                        + " superuser, or grant it membership in the owning role");
            }
            throw PromoterException.failed("Unable to lock the tables of live for the snapshot within "
                    + request.lockTimeout().toMillis() + " ms: " + Connections.describe(e)
                    + ". A long DDL or maintenance statement holds them: retry later or raise the lock timeout", e);
        }
    }

    static List<TableRef> largestFirst(Connection c) throws SQLException {
        return List.copyOf(bySize(c).keySet());
    }

    /** Every user table and its size in bytes with its TOAST data (the rows a copy moves), largest first. */
    static Map<TableRef, Long> bySize(Connection c) throws SQLException {
        Map<TableRef, Long> out = new java.util.LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT t.nspname, t.relname, t.size FROM (" + PostgresIntrospector.TABLES.replace("c.relname FROM",
                        "c.relname, pg_table_size(c.oid) AS size FROM") + ") t ORDER BY t.size DESC, 1, 2")) {
            while (rs.next()) {
                out.put(new TableRef(rs.getString(1), rs.getString(2)), rs.getLong(3));
            }
        }
        return out;
    }

    private static PostgresLargeObjects.Copied copyLargeObjects(Connection live, Connection staging, BackupWriter backup)
            throws SQLException, IOException {
        return backup == null ? PostgresLargeObjects.copy(live, staging, null)
                : PostgresCopyBackup.writeLargeObjects(backup, f -> PostgresLargeObjects.copy(live, staging, f));
    }

    /** Sequence positions as live has them now (never lower than at the snapshot), set on staging; returns them. */
    private static List<PostgresCopyBackup.SequenceValue> copySequences(Connection live, Connection staging)
            throws SQLException {
        List<PostgresCopyBackup.SequenceValue> values = readSequences(live);
        try (PreparedStatement set = staging.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
            for (PostgresCopyBackup.SequenceValue v : values) {
                set.setString(1, PostgresIntrospector.qualified(new TableRef(v.schema(), v.name())));
                set.setLong(2, v.lastValue());
                set.setBoolean(3, v.isCalled());
                set.execute();
            }
        }
        return values;
    }

    /** Every user sequence's and extension configuration sequence's position as the connection sees it. */
    static List<PostgresCopyBackup.SequenceValue> readSequences(Connection c) throws SQLException {
        List<TableRef> seqs = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND (" + PostgresIntrospector.USER_RELATION
                + " OR " + PostgresExtensionRows.CONFIGURATION + ")")) {
            while (rs.next()) {
                seqs.add(new TableRef(rs.getString(1), rs.getString(2)));
            }
        }
        List<PostgresCopyBackup.SequenceValue> out = new ArrayList<>();
        for (TableRef s : seqs) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + PostgresIntrospector.qualified(s))) {
                rs.next();
                out.add(new PostgresCopyBackup.SequenceValue(s.schema(), s.name(), rs.getLong(1), rs.getBoolean(2)));
            }
        }
        return out;
    }

    private void restore(Path pgRestore, ConnectionSpec target, String name, Path archive, String section, int jobs) {
        PostgresClientTools.restoreSection(pgRestore, target, name, archive, section, jobs,
                "restore the " + section + " schema into \"" + name + "\"");
    }

    private static void deleteQuietly(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover DDL-only temp file is harmless
        }
    }
}
