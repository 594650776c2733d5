package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Copies tables from a live connection that is inside the exported snapshot into staging: {@code COPY ..
 * TO STDOUT} streamed row by row into {@code COPY .. FROM STDIN} with pgjdbc's CopyOut/CopyIn, many rows to
 * a message (memory bounded by one message of 64 kB or one row, no thread, no temporary file). The rows
 * relayed are hashed on the way: that is the table's snapshot checksum ({@link PostgresCopyRows}), so live
 * is read once.
 * <p>
 * Generated columns are left out (staging computes them); identity columns are copied as they are (COPY
 * writes them like OVERRIDING SYSTEM VALUE). A table of {@link #FREEZE_FROM_BYTES} or more on live is truncated in
 * staging in the same transaction so that COPY can write the rows already frozen ({@code FREEZE}: no later
 * rewrite to set hint bits or freeze them); a smaller one is not, because the TRUNCATE (a new file) cost about
 * 1 ms a table, more than its rows, and with thousands of small tables that was most of the copy.
 */
final class PostgresTableCopier {
    private static final long REPORT_EVERY_BYTES = 8L << 20;
    private static final int MESSAGE_BYTES = 64 << 10;
    static final long FREEZE_FROM_BYTES = 4L << 20;

    private final Connection live;
    private final Connection staging;

    /** {@code live} must already be in the snapshot's transaction; {@code staging} is in autocommit. */
    PostgresTableCopier(Connection live, Connection staging) throws SQLException {
        this.live = live;
        this.staging = staging;
        PostgresCopyRows.pinSettings(live, false);
        PostgresCopyRows.pinSettings(staging, false);
        asynchronousCommits(staging);
    }

    /**
     * {@code synchronous_commit = off} for a session loading staging: its per-table commits do not each wait for
     * the disk (thousands of small tables made thousands of flushes). Nothing is weakened: a server crash before
     * the switch fails the run (and verify re-reads staging first), and the switch's own commit is synchronous,
     * which flushes every earlier commit before staging becomes live.
     */
    static void asynchronousCommits(Connection staging) throws SQLException {
        try (Statement st = staging.createStatement()) {
            st.execute("SET synchronous_commit = off");
        }
    }

    /**
     * Waits until every commit made so far on the server is on disk: a transaction with a transaction id commits
     * synchronously, and its commit record is flushed only with all the WAL before it (the asynchronous commits of
     * a load included). The end of a clone or a restore, so that a server crash afterwards loses nothing reported.
     */
    static void flushCommits(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL synchronous_commit = on");
            st.execute("SELECT txid_current()");
            c.commit();
        } finally {
            c.setAutoCommit(autoCommit);
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

    /** A table (or a piece of one) copied: its snapshot checksum, the shape its COPY data had, the bytes relayed. */
    record Copied(TableChecksum checksum, PostgresCopyRows shape, long bytes) {
    }

    /**
     * Copies {@code table}, of {@code liveBytes} on live, in COPY shape {@code known} (null: read it now); when
     * {@code backup} is not null, the COPY data is also written there exactly as it is sent to staging (header and
     * trailer included, so the file loads with {@code COPY ... FROM}). With {@code blocks}, only the rows there: such
     * a piece is appended without FREEZE (the other pieces of its table are loaded beside it by other sessions, so
     * no session may truncate the table first, and FREEZE needs that), and does not report its table finished; the
     * caller does, once every piece is in.
     */
    Copied copy(TableRef table, PostgresCopyRows.BlockRange blocks, long liveBytes, ProgressListener progress,
                OutputStream backup, PostgresCopyRows known) {
        String what = blocks == null ? "table " + table : blocks.describe() + " of table " + table;
        try {
            PostgresCopyRows rows = known != null ? known : PostgresCopyRows.of(live, table);
            staging.setAutoCommit(false);
            boolean freeze = blocks == null && liveBytes >= FREEZE_FROM_BYTES;
            if (freeze) {
                try (Statement st = staging.createStatement()) {
                    st.execute("TRUNCATE ONLY " + PostgresIntrospector.qualified(table));
                }
            }
            CopyOut out = live.unwrap(PGConnection.class).getCopyAPI().copyOut(blocks == null ? rows.copyOut(table)
                    : rows.copyOut(table, blocks));
            CopyIn in = null;
            try {
                in = staging.unwrap(PGConnection.class).getCopyAPI().copyIn(freeze ? rows.copyIn(table)
                        : rows.copyInAppend(table));
                PostgresCopyRows.Hash hash = rows.hash();
                long bytes = relay(out, in, backup, hash, table, progress);
                long written = in.endCopy();
                long read = out.getHandledRowCount();
                staging.commit();
                if (read != written || read != hash.rows()) {
                    throw PromoterException.failed("Copy of " + what + " is incomplete: read " + read
                            + " rows from live, staging took " + written + ", the checksum hashed " + hash.rows()
                            + ". Drop staging and run the clone again", null);
                }
                if (blocks == null) {
                    progress.tableFinished(table, written, bytes);
                }
                return new Copied(hash.checksum(read, table), rows, bytes);
            } finally {
                cancel(out, in);
                if (!staging.getAutoCommit()) {
                    staging.rollback();
                    staging.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to copy " + what + " into staging: SQLSTATE "
                    + e.getSQLState() + ": " + e.getMessage() + ". Staging is incomplete: drop it and clone again."
                    + PostgresCopyRows.rowSecurityHint(e), e);
        } catch (OutOfMemoryError e) {
            throw PostgresCopyRows.rowTooLarge(table, e);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to write the backup file of table " + table + ": " + e
                    + ". Check the room left in the backup folder; staging and the backup are incomplete: clone again", e);
        }
    }

    /**
     * Streams the rows of {@code out} into {@code in}, packed into messages of up to {@link #MESSAGE_BYTES}:
     * staging's backend, the slowest part of the copy, then handles one message for many rows. Every row also
     * goes to {@code hash}. Returns the bytes relayed.
     */
    private static long relay(CopyOut out, CopyIn in, OutputStream backup, PostgresCopyRows.Hash hash, TableRef table,
                              ProgressListener progress) throws SQLException, IOException {
        byte[] message = new byte[MESSAGE_BYTES];
        int filled = 0;
        long bytes = 0;
        long reported = 0;
        byte[] row;
        while ((row = out.readFromCopy()) != null) {
            hash.accept(row);
            if (filled + row.length > message.length && filled > 0) {
                send(in, backup, message, filled);
                filled = 0;
            }
            if (row.length > message.length) {
                send(in, backup, row, row.length);
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
            send(in, backup, message, filled);
        }
        return bytes;
    }

    private static void send(CopyIn in, OutputStream backup, byte[] data, int length) throws SQLException, IOException {
        in.writeToCopy(data, 0, length);
        if (backup != null) {
            backup.write(data, 0, length);
        }
    }

    /** Ends whichever of the two COPY operations is still open, after a failure (the first error is the caller's). */
    static void cancel(CopyOut out, CopyIn in) {
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
}
