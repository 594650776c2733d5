package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.RowHashSum;
import dev.promoter.core.spi.TableChecksum;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Large objects ({@code lo_create}, {@code lo_import}; an {@code oid} column usually points at them) live in
 * the catalog {@code pg_largeobject}, not in any user table, so the table copy does not carry them. The
 * pre-data schema creates each one empty with its owner and grants (pg_dump's BLOB entries); this fills them
 * from the snapshot, in chunks of {@link #CHUNK} bytes ({@code lo_get} on live, {@code lo_put} on staging),
 * then reads staging's back and refuses the clone unless both sides hash the same.
 * <p>
 * The checksum is a {@link RowHashSum} over one "row" per chunk: the object's oid, the chunk's offset and its
 * bytes, plus one per object with its length, so an empty object counts and chunk boundaries are the same on
 * both sides.
 */
final class PostgresLargeObjects {
    static final int CHUNK = 1 << 20;

    private PostgresLargeObjects() {
    }

    /** What was carried: objects, bytes and the content checksum of live's objects at the snapshot. */
    record Copied(long objects, long bytes, TableChecksum checksum) {
    }

    /**
     * Copies every large object {@code live} sees (it must be inside the snapshot's transaction) into staging,
     * where pre-data created them empty, in one transaction, and checks staging's content afterwards.
     */
    static Copied copy(Connection live, Connection staging, PostgresCopyBackup.LargeObjectFile backup)
            throws SQLException, IOException {
        boolean autoCommit = staging.getAutoCommit();
        staging.setAutoCommit(false);
        Copied copied;
        try (PreparedStatement put = staging.prepareStatement("SELECT lo_put(?::oid, ?, ?)")) {
            copied = read(live, new ChunkSink() {
                @Override
                public void accept(long oid, long offset, byte[] chunk) throws SQLException, IOException {
                    put.setLong(1, oid);
                    put.setLong(2, offset);
                    put.setBytes(3, chunk);
                    put.executeQuery().close();
                    if (backup != null) {
                        backup.chunk(oid, offset, chunk);
                    }
                }

                @Override
                public void end(long oid, long length) throws IOException {
                    if (backup != null) {
                        backup.end(oid, length);
                    }
                }
            });
            staging.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            staging.rollback();
            throw e;
        } finally {
            staging.setAutoCommit(autoCommit);
        }
        TableChecksum landed = checksum(staging);
        if (!landed.equals(copied.checksum())) {
            throw PromoterException.failed("The large objects copied into staging differ from live's: live had "
                    + copied.checksum().text() + ", staging has " + landed.text() + ". Drop staging and clone again", null);
        }
        return copied;
    }

    /** Writes every large object the connection sees to {@code file}; returns what was written. */
    static Copied export(Connection c, PostgresCopyBackup.LargeObjectFile file) throws SQLException, IOException {
        return read(c, new ChunkSink() {
            @Override
            public void accept(long oid, long offset, byte[] chunk) throws IOException {
                file.chunk(oid, offset, chunk);
            }

            @Override
            public void end(long oid, long length) throws IOException {
                file.end(oid, length);
            }
        });
    }

    /** The content checksum of every large object the connection sees (inside its transaction, if any). */
    static TableChecksum checksum(Connection c) throws SQLException {
        try {
            return read(c, (oid, offset, chunk) -> { }).checksum();
        } catch (IOException e) {
            throw new IllegalStateException("no file is written here", e);
        }
    }

    private interface ChunkSink {
        void accept(long oid, long offset, byte[] chunk) throws SQLException, IOException;

        /** After the last chunk of an object of {@code length} bytes (also for an empty one). */
        default void end(long oid, long length) throws IOException {
        }
    }

    /** Reads every large object in chunks, in oid order, into {@code sink}; returns the count and checksum. */
    private static Copied read(Connection c, ChunkSink sink) throws SQLException, IOException {
        RowHashSum sum = new RowHashSum();
        long bytes = 0;
        List<Long> oids = oids(c);
        try (PreparedStatement get = c.prepareStatement("SELECT lo_get(?::oid, ?, ?)")) {
            for (long oid : oids) {
                long length = 0;
                for (byte[] chunk = read(get, oid, 0); ; chunk = read(get, oid, length)) {
                    if (chunk.length > 0) {
                        sink.accept(oid, length, chunk);
                        add(sum, oid, length, chunk);
                        length += chunk.length;
                    }
                    if (chunk.length < CHUNK) {
                        break;
                    }
                }
                addLength(sum, oid, length);
                sink.end(oid, length);
                bytes += length;
            }
        }
        return new Copied(oids.size(), bytes, sum.checksum());
    }

    private static List<Long> oids(Connection c) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private static byte[] read(PreparedStatement get, long oid, long offset) throws SQLException {
        get.setLong(1, oid);
        get.setLong(2, offset);
        get.setInt(3, CHUNK);
        try (ResultSet rs = get.executeQuery()) {
            rs.next();
            byte[] b = rs.getBytes(1);
            return b == null ? new byte[0] : b;
        }
    }

    private static void add(RowHashSum sum, long oid, long offset, byte[] chunk) {
        byte[] row = ByteBuffer.allocate(17 + chunk.length).put((byte) 'c').putLong(oid).putLong(offset).put(chunk).array();
        sum.addRow(row, 0, row.length);
    }

    private static void addLength(RowHashSum sum, long oid, long length) {
        byte[] row = ByteBuffer.allocate(17).put((byte) 'n').putLong(oid).putLong(length).array();
        sum.addRow(row, 0, row.length);
    }
}
