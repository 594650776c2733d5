package dev.promoter.dialects.postgresql;

import dev.promoter.core.DaemonThreads;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A backup is one {@code pg_dump --format=custom} archive, {@code database.dump}, restorable with
 * {@code pg_restore}. Its row counts come from the same snapshot the dump reads: a REPEATABLE READ
 * transaction exports its snapshot and counts every table while pg_dump runs with {@code --snapshot}, and
 * stays open until both are done. Roles are not in the archive (as with any pg_dump of one database): the
 * target server must have the roles that own the objects. The database's own settings, privileges, comment and
 * connection limit, which pg_dump leaves out without {@code --create}, are kept beside it
 * ({@link PostgresDatabaseProperties}) and applied by a restore. The archive is compressed
 * at gzip level 1 ({@code --compress=1}): at pgbench scale 50 it took 2.3 s against 3.1 s at pg_dump's
 * default level for a file 2 % larger; pg_dump's single compressing process is the backup's bottleneck.
 */
final class PostgresBackupTool implements BackupTool {
    static final String ARCHIVE = "database.dump";
    /** pg_dump's and pg_restore's verbose lines that start a table's data, relayed as progress. */
    private static final String DUMPING = "dumping contents of table ";
    private static final String RESTORING = "processing data for table ";
    private static final java.time.Duration PROGRESS_EVERY = java.time.Duration.ofSeconds(5);
    private static final Executor DUMPER = DaemonThreads.named("promoter-pg-dump");

    private final PostgresClientTools tools;

    PostgresBackupTool(PostgresClientTools tools) {
        this.tools = tools;
    }

    @Override
    public Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress) {
        String db = PostgresUrl.parse(source.url()).database();
        try (Connection c = Connections.open(source)) {
            Path pgDump = tools.find("pg_dump", c.getMetaData().getDatabaseMajorVersion());
            Files.createDirectories(dir);
            c.setAutoCommit(false);
            String snapshotId;
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    snapshotId = rs.getString(1);
                }
            }
            List<TableRef> tables = PostgresIntrospector.tables(c);
            progress.message("Dumping \"" + db + "\" (" + tables.size() + " tables) with pg_dump, snapshot " + snapshotId);
            // pg_dump runs while this transaction counts the rows of the same snapshot (it stays open until both end)
            var dumping = PostgresClientTools.tableProgress(DUMPING, "pg_dump: dumping", tables.size(), progress,
                    PROGRESS_EVERY);
            CompletableFuture<Void> dump = CompletableFuture.runAsync(() -> PostgresClientTools.run(
                    "back up database \"" + db + "\" into " + dir.resolve(ARCHIVE),
                    PostgresClientTools.builder(source, List.of(pgDump.toString(), "--format=custom", "--compress=1",
                            "--verbose", "--snapshot=" + snapshotId, "--file=" + dir.resolve(ARCHIVE))), dumping), DUMPER);
            Map<TableRef, Long> counts = new TreeMap<>();
            try {
                for (TableRef t : tables) {
                    try (Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + PostgresIntrospector.qualified(t))) {
                        rs.next();
                        counts.put(t, rs.getLong(1));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                dump.handle((x, t) -> null).join();
                throw e;
            }
            try {
                dump.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            PostgresDatabaseProperties.keep(dir, c, db);
            c.commit();
            return counts;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to back up database \"" + db + "\": " + Connections.describe(e)
                    + ". Check the connection and that the user may read every table", e);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to back up database \"" + db + "\" into " + dir + ": " + e
                    + ". Check that the folder is writable and has room", e);
        }
    }

    /**
     * Restores either layout: this tool's pg_dump archive ({@value #ARCHIVE}), or the schema archive and COPY
     * files an online clone writes during a run ({@link PostgresCopyBackup}); then the database's properties.
     */
    @Override
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        Path archive = dir.resolve(ARCHIVE);
        String db = PostgresUrl.parse(target.url()).database();
        boolean copyLayout = PostgresCopyBackup.isCopyBackup(dir);
        if (!Files.isRegularFile(archive) && !copyLayout) {
            throw PromoterException.badInput("Backup folder " + dir + " holds neither " + ARCHIVE + " nor "
                    + PostgresCopyBackup.LAYOUT + ": it is not a PostgreSQL backup made by Promoter. Pass the folder "
                    + "the backup wrote");
        }
        int major;
        try (Connection c = Connections.open(target)) {
            major = c.getMetaData().getDatabaseMajorVersion();
        } catch (SQLException e) {
            throw Connections.unableToConnect(target, e);
        }
        Path pgRestore = tools.find("pg_restore", major);
        if (copyLayout) {
            PostgresCopyBackup.restore(dir, target, major, pgRestore, progress);
        } else {
            restoreArchive(archive, target, db, pgRestore, progress);
        }
        PostgresDatabaseProperties.restore(dir, target, progress);
    }

    private static void restoreArchive(Path archive, ConnectionSpec target, String db, Path pgRestore,
                                       ProgressListener progress) {
        PostgresClientTools.Toc toc = PostgresClientTools.toc(pgRestore, archive);
        boolean oneTransaction = toc.oneTransaction();
        List<String> command = new java.util.ArrayList<>(List.of(pgRestore.toString(), "--exit-on-error", "--verbose"));
        if (oneTransaction) {
            command.add("--single-transaction");
        }
        command.addAll(List.of("--dbname=" + PostgresClientTools.conninfoDbname(db), archive.toString()));
        ProcessBuilder pb = PostgresClientTools.builder(target, command);
        if (!oneTransaction) {
            PostgresClientTools.asynchronousCommits(pb);
        }
        progress.message("Restoring " + archive + " into \"" + db + "\" with pg_restore (" + (oneTransaction
                ? "one transaction" : "an entry per transaction: it creates more than "
                + PostgresClientTools.OBJECTS_PER_TRANSACTION + " objects, more locks than one transaction may hold") + ")");
        var restoring = PostgresClientTools.tableProgress(RESTORING, "pg_restore: loading",
                toc.tablesWithData(),
                progress, PROGRESS_EVERY);
        PostgresClientTools.run("restore " + archive + " into database \"" + db + "\" (" + (oneTransaction
                ? "nothing was restored: it runs in one transaction" : "the target is partly restored: drop it and "
                + "create it again") + "; the target must be empty and the owning roles must exist)", pb, restoring);
        if (!oneTransaction) { // its commits were asynchronous
            try (Connection c = Connections.open(target)) {
                PostgresTableCopier.flushCommits(c);
            } catch (SQLException e) {
                throw PromoterException.failed("Unable to make the restore of " + archive + " into \"" + db
                        + "\" durable: " + Connections.describe(e) + ". Check the server, then restore again", e);
            }
        }
    }
}
