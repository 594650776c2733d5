package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Streams one table's rows from a source session (Connector/J streaming result set: one row in memory at a
 * time) into the same table of a target session. Fast path: {@code LOAD DATA LOCAL INFILE} fed from an
 * in-memory stream ({@code JdbcStatement#setLocalInfileInputStream}) that encodes rows as they are read;
 * fallback when the server has {@code local_infile=OFF}: batched multi-row INSERTs
 * ({@code rewriteBatchedStatements}). What is read, and how rows are hashed for the snapshot's checksum, is
 * {@link MySqlTableScan}'s; generated columns are not copied (the target computes them).
 */
final class MySqlTableCopier {
    private static final int BATCH = 1000;
    private static final Set<String> BINARY = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
            "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
            "geometrycollection");

    enum Path { LOAD_DATA, INSERT }

    private MySqlTableCopier() {
    }

    /** What one table's copy did: rows and bytes moved, and the snapshot's checksum of the rows read. */
    record Copied(long rows, long bytes, TableChecksum checksum) {
    }

    /**
     * Copies every row. The source session's transaction decides what is seen; it must have run
     * {@link MySqlTableScan#SESSION}. The snapshot's checksum comes from the same scan: each row's values are hashed
     * as they are copied (or, for a table the server hashes, the SELECT returns each row's hash too), so it costs
     * no second scan. With {@code backup}, the rows also go to the backup's file of the table, encoded for LOAD DATA
     * as the fast path sends them.
     */
    static Copied copy(Connection source, Connection target, TableRef table, Path path, ProgressListener progress,
                       MySqlCopyBackup backup) throws SQLException {
        MySqlTableScan scan = MySqlTableScan.of(source, table);
        MySqlTableScan.Hash sum = scan.hash();
        try (Statement s = source.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery(scan.select())) {
                long[] done;
                try (OutputStream copy = backup == null ? null : backup.open(table, loadSql(table, scan.columns()))) {
                    done = path == Path.LOAD_DATA ? load(rs, target, table, scan.columns(), sum, progress, copy)
                            : insert(rs, target, table, scan.columns(), sum, progress, copy);
                } catch (IOException e) {
                    throw new SQLException("Unable to write the backup file of " + table + ": " + e.getMessage(), "58030", e);
                }
                if (sum.rows() != done[0]) {
                    throw new SQLException("Copy of " + table + " hashed " + sum.rows() + " rows but copied " + done[0]
                            + "; the copy is incomplete: drop the staging database and clone again", "HY000");
                }
                return new Copied(done[0], done[1], sum.checksum());
            }
        }
    }

    private static long[] load(ResultSet rs, Connection target, TableRef table, List<MySqlTableScan.Column> cols,
                               MySqlTableScan.Hash sum, ProgressListener progress, OutputStream copy) throws SQLException {
        String sql = loadSql(table, cols);
        RowStream in = new RowStream(rs, cols.size(), table, sum, progress, copy);
        try (Statement s = target.createStatement()) {
            s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(in);
            long loaded;
            try {
                loaded = s.executeLargeUpdate(sql);
            } catch (SQLException e) {
                throw in.failure != null ? in.failure : e;
            }
            failOnWarnings(s.getWarnings(), table);
            if (loaded != in.rows) {
                throw new SQLException("LOAD DATA into " + table + " stored " + loaded + " of " + in.rows + " rows", "HY000");
            }
            return new long[] {in.rows, in.bytes};
        }
    }

    /** The statement that loads rows encoded as {@link RowStream} encodes them into {@code table}. */
    static String loadSql(TableRef table, List<MySqlTableScan.Column> cols) {
        StringBuilder list = new StringBuilder();
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            MySqlTableScan.Column c = cols.get(i);
            list.append(i == 0 ? "" : ", ").append(c.bit() ? "@v" + i : MySqlDialect.quoteName(c.name()));
            if (c.bit()) {
                set.append(set.isEmpty() ? " SET " : ", ").append(MySqlDialect.quoteName(c.name())).append(" = @v").append(i).append(" + 0");
            }
        }
        return "LOAD DATA LOCAL INFILE 'promoter-stream' INTO TABLE " + MySqlDialect.quoteName(table.name())
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("
                + list + ")" + set;
    }

    private static long[] insert(ResultSet rs, Connection target, TableRef table, List<MySqlTableScan.Column> cols,
                                 MySqlTableScan.Hash sum, ProgressListener progress, OutputStream copy)
            throws SQLException, IOException {
        MySqlLoadDataBuffer encoded = copy == null ? null : new MySqlLoadDataBuffer(300 * 1024);
        String sql = "INSERT INTO " + MySqlDialect.quoteName(table.name()) + " ("
                + cols.stream().map(c -> MySqlDialect.quoteName(c.name())).collect(Collectors.joining(", ")) + ") VALUES ("
                + cols.stream().map(c -> c.bit() ? "? + 0" : "?").collect(Collectors.joining(", ")) + ")";
        long rows = 0;
        long bytes = 0;
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            while (rs.next()) {
                for (int i = 0; i < cols.size(); i++) {
                    byte[] b = rs.getBytes(i + 1);
                    sum.field(b);
                    if (encoded != null) {
                        if (i > 0) {
                            encoded.put((byte) '\t');
                        }
                        encoded.value(b);
                    }
                    if (BINARY.contains(cols.get(i).type())) {
                        ps.setBytes(i + 1, b);
                        bytes += b == null ? 0 : b.length;
                    } else {
                        String v = rs.getString(i + 1);
                        ps.setString(i + 1, v);
                        bytes += v == null ? 0 : v.length();
                    }
                }
                sum.endRow(rs);
                if (encoded != null) {
                    encoded.put((byte) '\n');
                    if (encoded.size() >= 256 * 1024) {
                        copy.write(encoded.array(), 0, encoded.size());
                        encoded.reset();
                    }
                }
                ps.addBatch();
                if (++rows % BATCH == 0) {
                    ps.executeBatch();
                    progress.rowsCopied(table, rows, bytes);
                }
            }
            ps.executeBatch();
            failOnWarnings(ps.getWarnings(), table);
            if (encoded != null) {
                copy.write(encoded.array(), 0, encoded.size());
            }
        }
        return new long[] {rows, bytes};
    }

    private static void failOnWarnings(SQLWarning w, TableRef table) throws SQLException {
        if (w != null) {
            throw new SQLException("Copying " + table + " changed data (server warning " + w.getErrorCode() + ": "
                    + w.getMessage() + "); the staging table's definition does not hold live's values", "01000");
        }
    }

    /** Encodes rows for LOAD DATA as the driver reads: tab-separated, backslash-escaped, \N for NULL. */
    private static final class RowStream extends InputStream {
        private final ResultSet rs;
        private final int columns;
        private final TableRef table;
        private final MySqlTableScan.Hash sum;
        private final ProgressListener progress;
        private final MySqlLoadDataBuffer buf = new MySqlLoadDataBuffer(300 * 1024);
        private int pos;
        private boolean done;
        long rows;
        long bytes;
        SQLException failure;

        /** Where every encoded buffer also goes (the backup's file of the table), or null. */
        private final OutputStream copy;

        RowStream(ResultSet rs, int columns, TableRef table, MySqlTableScan.Hash sum, ProgressListener progress,
                  OutputStream copy) {
            this.copy = copy;
            this.rs = rs;
            this.columns = columns;
            this.table = table;
            this.sum = sum;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= buf.size()) {
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, buf.size() - pos);
            System.arraycopy(buf.array(), pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            buf.reset();
            pos = 0;
            try {
                while (!done && buf.size() < 256 * 1024) {
                    if (!rs.next()) {
                        done = true;
                        break;
                    }
                    int start = buf.size();
                    for (int i = 1; i <= columns; i++) {
                        if (i > 1) {
                            buf.put((byte) '\t');
                        }
                        buf.value(rs.getBytes(i));
                    }
                    sum.endEncodedRow(buf.array(), start, buf.size(), rs);
                    buf.put((byte) '\n');
                    if (++rows % 50_000 == 0) {
                        progress.rowsCopied(table, rows, bytes + buf.size());
                    }
                }
            } catch (SQLException e) {
                failure = e;
                throw new IOException("reading " + table + " from live failed: " + e.getMessage(), e);
            }
            bytes += buf.size();
            if (copy != null && buf.size() > 0) {
                try {
                    copy.write(buf.array(), 0, buf.size());
                } catch (IOException e) {
                    failure = new SQLException("Unable to write the backup file of " + table + ": " + e.getMessage(), "58030", e);
                    throw e;
                }
            }
            return buf.size() > 0;
        }
    }
}
