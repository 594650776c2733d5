package dev.promoter.dialects.postgresql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.promoter.core.PromoterException;
import dev.promoter.core.Workers;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The backup an online clone writes from its own snapshot, so that live is read once for both (the copy
 * streams every table's COPY data to staging and to the table's backup file at the same time):
 * <ul>
 *   <li>{@code schema.dump}: the clone's pg_dump archive of the pre-data and post-data sections (DDL only);</li>
 *   <li>{@code data/NNNN.copy}: one table's rows exactly as {@code COPY ... TO STDOUT} sent them (binary format,
 *       or text for the few tables the clone copies as text), loadable with {@code COPY ... FROM};</li>
 *   <li>{@code large-objects.bin}: large objects as chunks (oid, offset, length, bytes; big-endian);</li>
 *   <li>{@code data/extension-NNNN.copy}: the users' rows of one extension configuration table
 *       ({@link PostgresExtensionRows});</li>
 *   <li>{@code tables.json} ({@link Layout}): which file holds which table, its COPY columns and format, its
 *       row count, and the sequence positions.</li>
 * </ul>
 * Restore: pre-data, every table's files through {@code COPY ... FROM STDIN (FREEZE)} with the copy's session
 * settings (tables on several sessions at once, largest first), the extension configuration rows (appended to
 * those CREATE EXTENSION made), large objects, sequences, then post-data
 * ({@code pg_restore --jobs}). Unlike a pg_dump archive it is not one transaction:
 * a failed restore leaves the target partly restored (it must be dropped and created again).
 */
final class PostgresCopyBackup {
    static final String SCHEMA = "schema.dump";
    static final String LAYOUT = "tables.json";
    static final String LARGE_OBJECTS = "large-objects.bin";
    static final String LAYOUT_FORMAT = "promoter-pg-copy/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Sessions a restore loads tables on, and pg_restore's jobs for post-data. */
    static final int WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private PostgresCopyBackup() {
    }

    /**
     * The table files, sequences and large objects of one backup (tables.json). {@code extensionRows} are the
     * users' rows of extensions' configuration tables ({@link PostgresExtensionRows}), appended on restore to the
     * rows pre-data's CREATE EXTENSION makes (absent in backups written before they were carried: none).
     */
    record Layout(String format, int serverMajor, List<TableFile> tables, List<TableFile> extensionRows,
                  List<SequenceValue> sequences, String largeObjects) {
        static Layout of(Connection source, List<TableFile> tables, List<PostgresExtensionRows.Copied> extensionRows,
                         List<SequenceValue> sequences, String largeObjects) throws SQLException {
            return new Layout(LAYOUT_FORMAT, source.getMetaData().getDatabaseMajorVersion(), tables,
                    extensionRows.stream().map(PostgresExtensionRows.Copied::file).toList(), sequences, largeObjects);
        }

        List<TableFile> extensionRowsOrNone() {
            return extensionRows == null ? List.of() : extensionRows;
        }
    }

    /**
     * One table's files (one, or disjoint pieces of a large table read on parallel sessions), its COPY column
     * list (quoted names) and format, and the rows they hold together.
     */
    record TableFile(String schema, String name, List<String> files, String copyFormat, List<String> columns, long rows) {
        TableRef table() {
            return new TableRef(schema, name);
        }
    }

    record SequenceValue(String schema, String name, long lastValue, boolean isCalled) {
    }

    static String dataFile(int index) {
        return String.format("data/%04d.copy", index);
    }

    /** The dumped rows of the {@code index}-th extension configuration table. */
    static String extensionFile(int index) {
        return String.format("data/extension-%04d.copy", index);
    }

    /** Piece {@code piece} (from 0) of {@code pieces} of table file {@code index}. */
    static String dataFile(int index, int piece, int pieces) {
        return pieces == 1 ? dataFile(index) : String.format("data/%04d.%d.copy", index, piece + 1);
    }

    static void writeLayout(BackupWriter backup, Layout layout) throws IOException {
        try (OutputStream out = backup.create(LAYOUT)) {
            JSON.writeValue(out, layout);
        }
    }

    /** Large objects as chunk records, written as the clone copies them. */
    static final class LargeObjectFile implements AutoCloseable {
        private final DataOutputStream out;

        LargeObjectFile(OutputStream out) {
            this.out = new DataOutputStream(out);
        }

        void chunk(long oid, long offset, byte[] bytes) throws IOException {
            out.writeLong(oid);
            out.writeLong(offset);
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        /** An object's end (or an empty object): a record with no bytes. */
        void end(long oid, long length) throws IOException {
            out.writeLong(oid);
            out.writeLong(length);
            out.writeInt(-1);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Writes a backup's large objects with {@code export}; no file when there are none. */
    static PostgresLargeObjects.Copied writeLargeObjects(BackupWriter backup, LargeObjectExport export)
            throws SQLException, IOException {
        PostgresLargeObjects.Copied copied;
        try (LargeObjectFile file = new LargeObjectFile(backup.create(LARGE_OBJECTS))) {
            copied = export.to(file);
        }
        if (copied.objects() == 0) {
            Files.delete(backup.path(LARGE_OBJECTS));
        }
        return copied;
    }

    @FunctionalInterface
    interface LargeObjectExport {
        PostgresLargeObjects.Copied to(LargeObjectFile file) throws SQLException, IOException;
    }

    /** Refuses before anything is copied when the backup folder cannot hold live's tables. */
    static void ensureRoom(BackupWriter backup, Connection live) throws SQLException {
        backup.ensureRoom(backupBytes(live), "the size of live's tables and large objects");
    }

    /**
     * Live's tables' size on disk with their TOAST data, and its large objects': the estimate of a backup of their
     * rows (the binary COPY data is about the size of the heap).
     */
    static long backupBytes(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(sum(pg_table_size("
                + "c.oid)), 0) + pg_table_size('pg_catalog.pg_largeobject') FROM pg_class c JOIN pg_namespace n ON "
                + "n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND "
                + PostgresIntrospector.USER_RELATION)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean isCopyBackup(Path dir) {
        return Files.isRegularFile(dir.resolve(LAYOUT));
    }

    /** Restores the backup in {@code dir} into the empty database {@code target}, a PostgreSQL {@code targetMajor}. */
    static void restore(Path dir, ConnectionSpec target, int targetMajor, Path pgRestore, ProgressListener progress) {
        String db = PostgresUrl.parse(target.url()).database();
        Layout layout;
        try {
            layout = JSON.readValue(dir.resolve(LAYOUT).toFile(), Layout.class);
        } catch (IOException e) {
            throw PromoterException.badInput("Unreadable " + dir.resolve(LAYOUT) + ": " + e.getMessage());
        }
        if (!LAYOUT_FORMAT.equals(layout.format())) {
            throw PromoterException.badInput(dir.resolve(LAYOUT) + " is of format " + layout.format() + ", this "
                    + "version reads " + LAYOUT_FORMAT + ": restore it with the Promoter version that wrote it");
        }
        if (targetMajor != layout.serverMajor()) {
            // binary COPY data is only promised to load into the major version that wrote it
            throw PromoterException.refused("Backup " + dir + " holds binary COPY data written by PostgreSQL "
                    + layout.serverMajor() + "; the target runs PostgreSQL " + targetMajor + ". Restore it into a "
                    + "PostgreSQL " + layout.serverMajor() + " server (then pg_upgrade), or move data across versions "
                    + "with a pg_dump backup (promote backup, or --backup-format dump). Nothing was restored");
        }
        String partly = " The target \"" + db + "\" is partly restored: drop it, create it empty and restore again";
        Path schema = dir.resolve(SCHEMA);
        progress.message("Restoring the schema (pre-data) of " + schema + " into \"" + db + "\"");
        runRestore(pgRestore, target, db, schema, "pre-data");
        loadTables(dir, target, layout.tables(), partly, progress);
        try (Connection c = Connections.open(target)) {
            PostgresCopyRows.pinSettings(c, false);
            for (TableFile t : layout.extensionRowsOrNone()) {
                long rows = load(c, dir, t, true);
                if (rows != t.rows()) {
                    throw PromoterException.failed("Backup file " + t.files() + " of configuration table " + t.table()
                            + " held " + rows + " rows, " + LAYOUT + " says " + t.rows() + "." + partly, null);
                }
            }
            if (!layout.extensionRowsOrNone().isEmpty()) {
                progress.message("Restored the users' rows of " + layout.extensionRowsOrNone().size()
                        + " extension configuration table(s)");
            }
            if (layout.largeObjects() != null) {
                long n = loadLargeObjects(c, dir.resolve(layout.largeObjects()));
                progress.message("Restored " + n + " large object(s)");
            }
            try (PreparedStatement set = c.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                for (SequenceValue s : layout.sequences()) {
                    set.setString(1, PostgresIntrospector.qualified(new TableRef(s.schema(), s.name())));
                    set.setLong(2, s.lastValue());
                    set.setBoolean(3, s.isCalled());
                    set.execute();
                }
            }
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to restore the data of " + dir + " into \"" + db + "\": "
                    + Connections.describe(e) + "." + partly, e);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read backup " + dir + ": " + e + "." + partly, e);
        }
        progress.message("Restoring indexes, constraints and triggers (post-data) into \"" + db + "\"");
        runRestore(pgRestore, target, db, schema, "post-data");
        try (Connection c = Connections.open(target)) {
            PostgresTableCopier.flushCommits(c);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to make the restore of " + dir + " into \"" + db + "\" durable: "
                    + Connections.describe(e) + "." + partly, e);
        }
    }

    /**
     * Loads the tables' files on {@link #WORKERS} sessions at once, largest first, each table in a transaction
     * of its own (truncated in it, so the rows land frozen); the first failure stops the others.
     */
    private static void loadTables(Path dir, ConnectionSpec target, List<TableFile> tables, String partly,
                                   ProgressListener progress) {
        List<TableFile> order = new ArrayList<>(tables);
        Map<TableFile, Long> bytes = new HashMap<>();
        try {
            for (TableFile t : order) {
                long n = 0;
                for (String f : t.files()) {
                    n += Files.size(dir.resolve(f));
                }
                bytes.put(t, n);
            }
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read backup " + dir + ": " + e + ". Nothing was loaded", e);
        }
        order.sort(Comparator.comparing((TableFile t) -> bytes.get(t)).reversed());
        ConcurrentLinkedQueue<TableFile> queue = new ConcurrentLinkedQueue<>(order);
        int workers = Math.max(1, Math.min(WORKERS, order.size()));
        Workers.run(workers, "promoter-restore", queue, () -> {
            try (Connection c = Connections.open(target)) {
                PostgresCopyRows.pinSettings(c, false);
                TableFile t;
                while ((t = queue.poll()) != null) {
                    long rows = load(c, dir, t, false);
                    if (rows != t.rows()) {
                        throw PromoterException.failed("Backup files " + t.files() + " of table " + t.table()
                                + " held " + rows + " rows, " + LAYOUT + " says " + t.rows() + "." + partly, null);
                    }
                    progress.tableFinished(t.table(), rows, bytes.get(t));
                }
            }
            return null;
        }, cause -> PromoterException.failed("Unable to restore the data of " + dir + ": " + (cause instanceof
                SQLException s ? Connections.describe(s) : String.valueOf(cause)) + "." + partly, cause));
    }

    private static void runRestore(Path pgRestore, ConnectionSpec target, String db, Path archive, String section) {
        PostgresClientTools.restoreSection(pgRestore, target, db, archive, section, WORKERS, "restore the " + section
                + " section of " + archive + " into \"" + db + "\" (the target must be empty and the owning roles must exist)");
    }

    /**
     * One table's files into the table, truncated in the same transaction so that the rows land frozen; with
     * {@code append}, added to the rows the table has (an extension's configuration table).
     */
    private static long load(Connection c, Path dir, TableFile t, boolean append) throws SQLException, IOException {
        String q = PostgresIntrospector.qualified(t.table());
        String columns = t.columns().isEmpty() ? "" : " (" + String.join(", ", checkedNames(t.columns())) + ")";
        String format = switch (t.copyFormat()) {
            case "binary", "text" -> t.copyFormat();
            default -> throw PromoterException.badInput("Table " + t.table() + " has the unknown COPY format "
                    + t.copyFormat() + " in " + LAYOUT);
        };
        c.setAutoCommit(false);
        try {
            if (!append) {
                try (Statement st = c.createStatement()) {
                    st.execute("TRUNCATE ONLY " + q);
                }
            }
            long rows = 0;
            byte[] buf = new byte[64 << 10];
            for (String f : t.files()) {
                CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "COPY " + q + columns + " FROM STDIN (FORMAT " + format + (append ? ")" : ", FREEZE)"));
                try (InputStream is = Files.newInputStream(dir.resolve(f))) {
                    for (int n = is.read(buf); n >= 0; n = is.read(buf)) {
                        in.writeToCopy(buf, 0, n);
                    }
                    rows += in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                }
            }
            c.commit();
            return rows;
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Quoted identifiers only: the list is pasted into SQL, so anything else is refused. */
    private static List<String> checkedNames(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n.length() < 2 || n.charAt(0) != '"' || n.charAt(n.length() - 1) != '"'
                    || n.substring(1, n.length() - 1).replace("\"\"", "").contains("\"")) {
                throw PromoterException.badInput("Column " + n + " in " + LAYOUT + " is not a quoted identifier; "
                        + "the file is damaged or was not written by Promoter");
            }
            out.add(n);
        }
        return out;
    }

    private static long loadLargeObjects(Connection c, Path file) throws SQLException, IOException {
        long objects = 0;
        c.setAutoCommit(false);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
             PostgresLargeObjects.Writer put = new PostgresLargeObjects.Writer(c)) {
            while (true) {
                long oid;
                try {
                    oid = in.readLong();
                } catch (EOFException end) {
                    break;
                }
                long offset = in.readLong();
                int length = in.readInt();
                if (length < 0) {
                    objects++;
                    continue;
                }
                if (length > PostgresLargeObjects.CHUNK) {
                    throw PromoterException.badInput(file + " holds a chunk of " + length + " bytes (at most "
                            + PostgresLargeObjects.CHUNK + "): the file is damaged");
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length != length) {
                    throw new EOFException(file + " ends inside a chunk of large object " + oid);
                }
                put.put(oid, offset, bytes);
            }
            put.flush();
            c.commit();
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return objects;
    }
}
