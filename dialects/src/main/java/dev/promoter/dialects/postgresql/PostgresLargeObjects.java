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
 * from the snapshot, then reads staging's back and refuses the clone unless both sides hash the same.
 * <p>
 * Reading: one cursor over every object sends each one's first {@link #FIRST} bytes, {@link #FETCH} objects to a
 * round trip (most large objects are small); an object that fills its first piece is read on in pieces of
 * {@link #CHUNK} bytes, one round trip each. Writing: {@code lo_put} calls are sent in batches ({@link Writer}).
 * Memory stays within a fetch and a batch (a few MB).
 * <p>
 * The checksum is a {@link RowHashSum} over one "row" per chunk: the object's oid, the chunk's offset and its
 * bytes, plus one per object with its length, so an empty object counts and chunk boundaries are the same on
 * both sides.
 */
final class PostgresLargeObjects {
    static final int CHUNK = 1 << 20;
    /** An object's first piece, read by the cursor over all objects. */
    static final int FIRST = 16 << 10;
    /** Objects per fetch of that cursor (at most {@code FETCH * FIRST} bytes, 4 MB, per round trip). */
    static final int FETCH = 256;

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
        try (Writer put = new Writer(staging)) {
            copied = read(live, new ChunkSink() {
                @Override
                public void accept(long oid, long offset, byte[] chunk) throws SQLException, IOException {
                    put.put(oid, offset, chunk);
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
            put.flush();
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

    /**
     * Reads every large object in oid order into {@code sink} (the first piece from one cursor, the rest of a
     * larger object in {@link #CHUNK} pieces); returns the count and checksum. Runs in the connection's
     * transaction (a transaction of its own when in autocommit: the cursor needs one).
     */
    private static Copied read(Connection c, ChunkSink sink) throws SQLException, IOException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        RowHashSum sum = new RowHashSum();
        long bytes = 0;
        long objects = 0;
        try (Statement st = c.createStatement();
             PreparedStatement get = c.prepareStatement("SELECT lo_get(?::oid, ?, ?)")) {
            st.setFetchSize(FETCH);
            try (ResultSet rs = st.executeQuery("SELECT oid, lo_get(oid, 0, " + FIRST + ") "
                    + "FROM pg_catalog.pg_largeobject_metadata ORDER BY oid")) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    byte[] first = rs.getBytes(2);
                    long length = 0;
                    byte[] piece = first == null ? new byte[0] : first;
                    int asked = FIRST;
                    while (piece.length > 0) {
                        sink.accept(oid, length, piece);
                        add(sum, oid, length, piece);
                        length += piece.length;
                        if (piece.length < asked) {
                            break; // the object ends inside this piece
                        }
                        piece = read(get, oid, length);
                        asked = CHUNK;
                    }
                    addLength(sum, oid, length);
                    sink.end(oid, length);
                    bytes += length;
                    objects++;
                }
            }
        } finally {
            if (autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
        return new Copied(objects, bytes, sum.checksum());
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

    /**
     * {@code lo_put} calls sent {@link #BATCH_ROWS} (or {@link #BATCH_BYTES} bytes) to a round trip, as arrays
     * unnested on the server; the objects must exist. {@link #flush} before committing.
     */
    static final class Writer implements AutoCloseable {
        static final int BATCH_ROWS = 256;
        static final long BATCH_BYTES = 4 << 20;
        private final Connection c;
        private final PreparedStatement put;
        private final List<Long> oids = new ArrayList<>();
        private final List<Long> offsets = new ArrayList<>();
        private final List<byte[]> pieces = new ArrayList<>();
        private long bytes;

        Writer(Connection c) throws SQLException {
            this.c = c;
            this.put = c.prepareStatement("SELECT lo_put(x.o::oid, x.off, x.piece) "
                    + "FROM unnest(?::bigint[], ?::bigint[], ?::bytea[]) AS x(o, off, piece)");
        }

        void put(long oid, long offset, byte[] piece) throws SQLException {
            oids.add(oid);
            offsets.add(offset);
            pieces.add(piece);
            bytes += piece.length;
            if (oids.size() >= BATCH_ROWS || bytes >= BATCH_BYTES) {
                flush();
            }
        }

        void flush() throws SQLException {
            if (oids.isEmpty()) {
                return;
            }
            put.setArray(1, c.createArrayOf("int8", oids.toArray(new Long[0])));
            put.setArray(2, c.createArrayOf("int8", offsets.toArray(new Long[0])));
            put.setArray(3, c.createArrayOf("bytea", pieces.toArray(new byte[0][])));
            int n = 0;
            try (ResultSet rs = put.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            if (n != oids.size()) {
                throw new SQLException("lo_put ran " + n + " times for " + oids.size() + " pieces", "XX000");
            }
            oids.clear();
            offsets.clear();
            pieces.clear();
            bytes = 0;
        }

        @Override
        public void close() throws SQLException {
            put.close();
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
