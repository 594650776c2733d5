package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.ChecksumCutter;
import dev.promoter.core.spi.ChecksumPart;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Catalog and content fingerprints of a PostgreSQL database.
 * <p>
 * {@link #tables} lists the tables that hold rows: plain tables (inheritance parents and children alike,
 * each read with {@code ONLY}) and leaf partitions; partitioned parents hold no rows and are left out, as
 * are system schemas, temporary tables and tables that belong to an extension.
 * <p>
 * {@link #checksum} hashes, in the tool, the rows of the table's {@code COPY ... TO STDOUT} in the format the
 * clone copies it ({@link PostgresCopyRows}): the server only sends rows, which costs it less than hashing
 * every row's text, and the clone's snapshot checksum is the same function of the same stream.
 */
final class PostgresIntrospector implements Introspector {
    /** The least a piece of a table's checksum reads: 8192 blocks, 64 MB at the default block size. */
    static final long SPLIT_BLOCKS = 8192;
    static final String USER_RELATION = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' "
            + "AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass "
            + "AND e.objid = c.oid AND e.deptype = 'e')";
    static final String TABLES = "SELECT n.nspname, c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND "
            + USER_RELATION;

    @Override
    public List<TableRef> tables(Handle handle) {
        return tables(handle.getConnection());
    }

    static List<TableRef> tables(Connection c) {
        List<TableRef> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                out.add(new TableRef(rs.getString(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            throw failed("list the tables", e);
        }
        out.sort(null);
        return out;
    }

    static String qualified(TableRef t) {
        return PostgresDialect.quoteIdentifier(t.schema()) + "." + PostgresDialect.quoteIdentifier(t.name());
    }

    @Override
    public long rowCount(Handle handle, TableRef table) {
        try (Statement st = handle.getConnection().createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + qualified(table))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failed("count the rows of table " + table, e);
        }
    }

    @Override
    public TableChecksum checksum(Handle handle, TableRef table) {
        return checksum(handle.getConnection(), table);
    }

    /** The checksum inside the connection's transaction (or a transaction of its own when in autocommit). */
    static TableChecksum checksum(Connection c, TableRef table) {
        try {
            return PostgresCopyRows.checksum(c, table);
        } catch (SQLException e) {
            throw failed("compute the checksum of table " + table, e);
        }
    }

    @Override
    public List<ChecksumPart> checksumParts(Handle handle, TableRef table, int parts) {
        return checksumParts(handle.getConnection(), table, parts, SPLIT_BLOCKS);
    }

    /**
     * Cuts a table of at least {@code minBlocks} heap blocks per piece into up to {@code parts} ranges of blocks
     * (the last one open-ended, so pages added since are read too). Only from PostgreSQL 14 on, whose TID Range
     * Scan reads just a range's pages; before, every piece would scan the whole table.
     */
    static List<ChecksumPart> checksumParts(Connection c, TableRef table, int parts, long minBlocks) {
        return checksumParts(c, table, parts, minBlocks, null);
    }

    /** Where a checksum piece's COPY data is written too: piece {@code index} of {@code pieces}. */
    interface PieceOutput {
        java.io.OutputStream open(int index, int pieces) throws java.io.IOException;
    }

    /** What cutting a table's checksum needs: its heap blocks, the server's version, its COPY shape. */
    record Shape(long blocks, int version, PostgresCopyRows rows) {
    }

    /**
     * Every table's {@link Shape} in one query; tables missing from the result (dropped, renamed since) are
     * looked up one by one when cut.
     */
    @Override
    public ChecksumCutter checksumCutter(Handle handle) {
        Map<TableRef, Shape> shapes;
        try {
            shapes = shapes(handle.getConnection());
        } catch (SQLException e) {
            return this::checksumParts; // each table then reports its own failure
        }
        return (h, table, parts) -> checksumParts(h.getConnection(), table, parts, SPLIT_BLOCKS, null, shapes.get(table));
    }

    /** The shapes of all user tables (their stored columns and COPY format as {@link PostgresCopyRows#of} reads them). */
    static Map<TableRef, Shape> shapes(Connection c) throws SQLException {
        Map<TableRef, Shape> out = new java.util.HashMap<>();
        String sql = "SELECT n.nspname, c.relname, pg_relation_size(c.oid) / current_setting('block_size')::bigint, "
                + "current_setting('server_version_num')::int, "
                + "array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), "
                + "coalesce(bool_and" + PostgresCopyRows.BINARY_SAFE + ", true) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND " + PostgresCopyRows.STORED + " "
                + "LEFT JOIN pg_type t ON t.oid = a.atttypid "
                + "LEFT JOIN pg_type b ON " + PostgresCopyRows.BASE_TYPE + " "
                + "WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND " + USER_RELATION + " GROUP BY n.nspname, c.relname, c.oid";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                List<String> names = new ArrayList<>();
                java.sql.Array columns = rs.getArray(5);
                if (columns != null) {
                    for (Object name : (Object[]) columns.getArray()) {
                        names.add(PostgresDialect.quoteIdentifier((String) name));
                    }
                }
                out.put(new TableRef(rs.getString(1), rs.getString(2)), new Shape(rs.getLong(3), rs.getInt(4),
                        PostgresCopyRows.of(names, rs.getBoolean(6))));
            }
        }
        return out;
    }

    /** As {@link #checksumParts(Connection, TableRef, int, long)}; each piece also writes its COPY data to {@code copyTo}. */
    static List<ChecksumPart> checksumParts(Connection c, TableRef table, int parts, long minBlocks, PieceOutput copyTo) {
        return checksumParts(c, table, parts, minBlocks, copyTo, null);
    }

    /** As above, with the table's {@link Shape} already read ({@code null}: read it now). */
    static List<ChecksumPart> checksumParts(Connection c, TableRef table, int parts, long minBlocks, PieceOutput copyTo,
                                            Shape known) {
        Shape shape = known != null ? known : shape(c, table);
        List<PostgresCopyRows.BlockRange> ranges = PostgresCopyRows.BlockRange.cut(shape.blocks(), parts, minBlocks,
                shape.version());
        int n = ranges.size();
        List<ChecksumPart> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            PostgresCopyRows.BlockRange range = ranges.get(i);
            out.add(h -> {
                try (java.io.OutputStream file = copyTo == null ? null : copyTo.open(index, n)) {
                    return PostgresCopyRows.checksum(h.getConnection(), table, range, file, shape.rows());
                } catch (SQLException e) {
                    throw failed(range == null ? "compute the checksum of table " + table : "compute the checksum of "
                            + range.describe() + " of table " + table, e);
                } catch (java.io.IOException e) {
                    throw PromoterException.failed("Unable to write the backup file of table " + table + ": " + e
                            + ". Check the room left in the backup folder", e);
                }
            });
        }
        return out;
    }

    /** One table's {@link Shape}: its size, the server's version and (read when its checksum runs) its columns. */
    private static Shape shape(Connection c, TableRef table) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(?::regclass) "
                + "/ current_setting('block_size')::bigint, current_setting('server_version_num')::int")) {
            ps.setString(1, qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Shape(rs.getLong(1), rs.getInt(2), null);
            }
        } catch (SQLException e) {
            throw failed("read the size of table " + table, e);
        }
    }

    @Override
    public List<CounterState> counters(Handle handle) {
        return counters(handle.getConnection());
    }

    static List<CounterState> counters(Connection c) {
        List<String[]> seqs = new ArrayList<>();
        String sql = "SELECT n.nspname, s.relname, tn.nspname, t.relname, a.attname FROM pg_class s "
                + "JOIN pg_namespace n ON n.oid = s.relnamespace "
                + "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
                + "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                + "LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace "
                + "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                + "WHERE s.relkind = 'S' AND " + USER_RELATION.replace("c.oid", "s.oid") + " ORDER BY 1, 2";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                seqs.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
            }
        } catch (SQLException e) {
            throw failed("list the sequences", e);
        }
        List<CounterState> out = new ArrayList<>();
        for (String[] s : seqs) {
            TableRef seq = new TableRef(s[0], s[1]);
            TableRef table = s[3] == null ? null : new TableRef(s[2], s[3]);
            out.add(new CounterState(seq.display(), table, s[4], nextValue(c, seq), maxKey(c, table, s[4])));
        }
        return out;
    }

    private static long nextValue(Connection c, TableRef seq) {
        String sql = "SELECT CASE WHEN s.is_called THEN s.last_value + p.seqincrement ELSE s.last_value END FROM "
                + qualified(seq) + " s, pg_sequence p WHERE p.seqrelid = ?::regclass";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, qualified(seq));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("read sequence " + seq, e);
        }
    }

    private static Long maxKey(Connection c, TableRef table, String column) {
        if (table == null || column == null) {
            return null;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max("
                + PostgresDialect.quoteIdentifier(column) + ")::bigint FROM " + qualified(table))) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        } catch (SQLException e) {
            throw failed("read the largest " + column + " of table " + table, e);
        }
    }

    @Override
    public SchemaModel schema(Handle handle) {
        return new PostgresSchemaReader(handle.getConnection()).read();
    }

    static PromoterException failed(String what, SQLException e) {
        String rls = PostgresCopyRows.rowSecurityHint(e);
        return PromoterException.failed("Unable to " + what + ": " + Connections.describe(e)
                + (rls.isEmpty() ? ". Check that the user may read it" : "." + rls), e);
    }
}
