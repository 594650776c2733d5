package dev.promoter.dialects.mysql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backup an online clone writes from the rows it copies, so that live is read once: each table's rows in
 * the very bytes the clone sends to staging's {@code LOAD DATA} ({@code data/N.tsv}: tab-separated,
 * backslash-escaped, {@code \N} for NULL, read in UTC), and {@value #OBJECTS}: the snapshot's
 * {@code SHOW CREATE} of every table, view, routine, trigger and event with the statement that loads each file.
 * Restore creates the tables, loads the files as the clone loads staging (secondary indexes after the rows),
 * then creates the views, routines, triggers and events: the restored database equals the snapshot as staging
 * did before its migration. The files are LOAD DATA input, so the restore needs {@code local_infile=ON} on the
 * target server; a {@code mariadb-dump} backup ({@code --backup-format dump}) does not.
 */
final class MySqlCopyBackup {
    static final String OBJECTS = "mysql-objects.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One table's file and the statement that loads it ({@code 'promoter-stream'} is the file). */
    record TableFile(String table, String file, String load) {
    }

    /** What {@value #OBJECTS} holds. */
    record Contents(MySqlObjects objects, List<TableFile> tables) {
    }

    private final BackupWriter writer;
    private final MySqlObjects objects;
    private final Map<String, TableFile> files = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    private MySqlCopyBackup(BackupWriter writer, MySqlObjects objects) {
        this.writer = writer;
        this.objects = objects;
    }

    /** Refuses before anything is copied when the backup folder cannot hold about the size of live's tables. */
    static MySqlCopyBackup start(BackupWriter writer, MySqlObjects objects, Connection live) throws SQLException {
        long bytes = Long.parseLong(MySqlObjects.rows(live, "SELECT COALESCE(SUM(DATA_LENGTH), 0) FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'").get(0)[0]);
        writer.ensureRoom(bytes, "about the size of live's tables");
        return new MySqlCopyBackup(writer, objects);
    }

    /** The file that receives {@code table}'s rows, loaded at restore by {@code load}. */
    OutputStream open(TableRef table, String load) throws IOException {
        String file = "data/" + next.incrementAndGet() + ".tsv";
        files.put(table.name(), new TableFile(table.name(), file, load));
        return writer.create(file);
    }

    /** Writes {@value #OBJECTS} once every table's file is written. */
    void finish() throws IOException {
        List<TableFile> tables = new ArrayList<>();
        for (MySqlObjects.Ddl t : objects.tables()) {
            TableFile f = files.get(t.name());
            if (f == null) {
                throw new IOException("the backup holds no rows of table " + t.name());
            }
            tables.add(f);
        }
        try (OutputStream out = writer.create(OBJECTS)) {
            JSON.writeValue(out, new Contents(objects, tables));
        }
    }

    static boolean isIn(Path dir) {
        return Files.isRegularFile(dir.resolve(OBJECTS));
    }

    static void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        ConnectionSpec spec = MySqlCloner.loaderSpec(MySqlUrl.normalize(target));
        String db = MySqlUrl.parse(spec.url()).database();
        Contents contents;
        try {
            contents = JSON.readValue(dir.resolve(OBJECTS).toFile(), Contents.class);
        } catch (IOException e) {
            throw PromoterException.badInput("Unreadable MySQL backup " + dir.resolve(OBJECTS) + ": " + e.getMessage());
        }
        try (Connection c = Connections.open(spec); Statement s = c.createStatement()) {
            if (!"1".equals(MySqlObjects.rows(c, "SELECT @@GLOBAL.local_infile + 0").get(0)[0])) {
                throw PromoterException.refused("Unable to restore " + dir + " into " + db + ": the backup's rows are LOAD"
                        + " DATA files and the server has local_infile=OFF. Run SET GLOBAL local_infile = ON for the"
                        + " restore (and OFF after), or restore a backup taken with --backup-format dump");
            }
            if (!MySqlObjects.rows(c, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").isEmpty()) {
                throw PromoterException.refused("Unable to restore " + dir + " into " + db + ": the database is not empty;"
                        + " restore into an empty database");
            }
            for (String setup : MySqlCloner.LOADER_SESSION) {
                s.execute(setup);
            }
            Map<String, String> indexesAfter = new java.util.HashMap<>();
            MySqlObjects.createTables(c, MySqlDeferredIndexes.splitAll(contents.objects().tables(), indexesAfter));
            s.execute("SET SESSION foreign_key_checks = 0");
            for (TableFile f : contents.tables()) {
                TableRef t = new TableRef(null, f.table());
                progress.tableStarted(t, -1);
                long rows;
                s.clearWarnings();
                try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(f.file())), 256 << 10)) {
                    s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(in);
                    rows = s.executeLargeUpdate(f.load());
                }
                if (s.getWarnings() != null) {
                    throw new SQLException("loading " + f.file() + " into " + f.table() + " changed data (server warning "
                            + s.getWarnings().getErrorCode() + ": " + s.getWarnings().getMessage() + ")", "01000");
                }
                String alter = indexesAfter.get(f.table());
                if (alter != null) {
                    s.execute(alter);
                }
                progress.tableFinished(t, rows, Files.size(dir.resolve(f.file())));
            }
            s.execute("SET SESSION foreign_key_checks = 1");
            MySqlObjects.createCode(c, contents.objects());
        } catch (SQLException | IOException e) {
            throw PromoterException.failed("Unable to restore " + dir + " into " + db + ": "
                    + (e instanceof SQLException x ? Connections.describe(x) : e.toString())
                    + ". Drop the partly restored database and restore again into an empty one", e);
        }
    }
}
