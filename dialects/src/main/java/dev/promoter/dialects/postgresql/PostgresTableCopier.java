package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/**
 * Copies tables from a live connection that is inside the exported snapshot into staging: {@code COPY ..
 * TO STDOUT} streamed row by row into {@code COPY .. FROM STDIN} with pgjdbc's CopyOut/CopyIn, many rows to
 * a message (memory bounded by one message of 64 kB or one row, no thread, no temporary file), while another
 * connection in the same snapshot computes the table's checksum ({@link PostgresSnapshotChecksums}).
 * <p>
 * The binary format is used unless a column's type carries type OIDs in its binary form that differ
 * between databases (arrays of user-defined types, composite types, types from extensions); those tables
 * go as text, like pg_dump. Generated columns are left out (staging computes them); identity columns
 * are copied as they are (COPY writes them like OVERRIDING SYSTEM VALUE). Staging's table is truncated in
 * the same transaction so that COPY can write the rows already frozen ({@code FREEZE}).
 */
final class PostgresTableCopier {
    private static final long REPORT_EVERY_BYTES = 8L << 20;
    private static final int MESSAGE_BYTES = 64 << 10;
    private static final String SESSION = "SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
            + "SET extra_float_digits = 3";

    private final Connection live;
    private final Connection staging;
    private final PostgresSnapshotChecksums checksums;

    /**
     * {@code live} must already be in the snapshot's transaction; {@code staging} is in autocommit; {@code
     * checksums} computes each table's snapshot checksum while its rows stream.
     */
    PostgresTableCopier(Connection live, Connection staging, PostgresSnapshotChecksums checksums) throws SQLException {
        this.live = live;
        this.staging = staging;
        this.checksums = checksums;
        try (Statement a = live.createStatement(); Statement b = staging.createStatement()) {
            a.execute(SESSION);
            b.execute(SESSION);
        }
    }

    /** Joins the exported snapshot {@code snapshotId} on a fresh connection to live. */
    static void joinSnapshot(Connection live, String snapshotId) throws SQLException {
        if (!snapshotId.matches("[0-9A-Fa-f-]+")) {
            throw new IllegalArgumentException("not a snapshot id: " + snapshotId);
        }
        live.setAutoCommit(false);
        try (Statement st = live.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT '" + snapshotId + "'");
        }
    }

    TableChecksum copy(TableRef table, ProgressListener progress) {
        String q = PostgresIntrospector.qualified(table);
        try {
            Columns cols = columns(table);
            String list = cols.names.isEmpty() ? "" : " (" + String.join(", ", cols.names) + ")";
            String format = cols.binary ? "binary" : "text";
            Future<TableChecksum> snapshotSum = checksums.start(table);
            staging.setAutoCommit(false);
            try (Statement st = staging.createStatement()) {
                st.execute("TRUNCATE ONLY " + q);
            }
            CopyOut out = live.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY " + q + list + " TO STDOUT (FORMAT " + format + ")");
            CopyIn in = null;
            try {
                in = staging.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY " + q + list + " FROM STDIN (FORMAT " + format + ", FREEZE)");
                long bytes = relay(out, in, table, progress);
                long written = in.endCopy();
                long read = out.getHandledRowCount();
                staging.commit();
                TableChecksum sum = PostgresSnapshotChecksums.await(snapshotSum, table);
                if (read != written || read != sum.rows()) {
                    throw PromoterException.failed("Copy of table " + table + " is incomplete: read " + read
                            + " rows from live, staging took " + written + ", the snapshot holds " + sum.rows()
                            + ". Drop staging and run the clone again", null);
                }
                progress.tableFinished(table, written, bytes);
                return sum;
            } finally {
                snapshotSum.cancel(true);
                cancel(out, in);
                if (!staging.getAutoCommit()) {
                    staging.rollback();
                    staging.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to copy table " + table + " into staging: SQLSTATE "
                    + e.getSQLState() + ": " + e.getMessage() + ". Staging is incomplete: drop it and clone again", e);
        }
    }

    /**
     * Streams the rows of {@code out} into {@code in}, packed into messages of up to {@link #MESSAGE_BYTES}:
     * staging's backend, the slowest part of the copy, then handles one message for many rows. Returns the
     * bytes relayed.
     */
    private static long relay(CopyOut out, CopyIn in, TableRef table, ProgressListener progress) throws SQLException {
        byte[] message = new byte[MESSAGE_BYTES];
        int filled = 0;
        long bytes = 0;
        long reported = 0;
        byte[] row;
        while ((row = out.readFromCopy()) != null) {
            if (filled + row.length > message.length && filled > 0) {
                in.writeToCopy(message, 0, filled);
                filled = 0;
            }
            if (row.length > message.length) {
                in.writeToCopy(row, 0, row.length);
            } else {
                System.arraycopy(row, 0, message, filled, row.length);
                filled += row.length;
            }
            bytes += row.length;
            if (bytes - reported >= REPORT_EVERY_BYTES) {
                reported = bytes;
                progress.rowsCopied(table, -1, bytes);
            }
        }
        if (filled > 0) {
            in.writeToCopy(message, 0, filled);
        }
        return bytes;
    }

    private static void cancel(CopyOut out, CopyIn in) {
        try {
            if (in != null && in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the connection is broken; the caller reports the first error
        }
        try {
            if (out.isActive()) {
                out.cancelCopy();
            }
        } catch (SQLException ignored) {
            // same
        }
    }

    private record Columns(List<String> names, boolean binary) {
    }

    /** Stored (non-generated) columns, quoted, in order; binary unless a type's binary form carries OIDs. */
    private Columns columns(TableRef table) throws SQLException {
        List<String> names = new ArrayList<>();
        boolean binary = true;
        try (PreparedStatement ps = live.prepareStatement("SELECT a.attname, (b.oid < 16384 OR b.typtype = 'e') "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
                + "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
                + "ORDER BY a.attnum")) {
            ps.setString(1, PostgresIntrospector.qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(PostgresDialect.quoteIdentifier(rs.getString(1)));
                    binary &= rs.getBoolean(2);
                }
            }
        }
        return new Columns(names, binary);
    }
}
