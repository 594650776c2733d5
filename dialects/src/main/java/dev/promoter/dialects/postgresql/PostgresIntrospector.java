package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Catalog and content fingerprints of a PostgreSQL database.
 * <p>
 * {@link #tables} lists the tables that hold rows: plain tables (inheritance parents and children alike,
 * each read with {@code ONLY}) and leaf partitions; partitioned parents hold no rows and are left out, as
 * are system schemas, temporary tables and tables that belong to an extension.
 * <p>
 * {@link #checksum} is {@code count(*)} and the exact {@code numeric} sum of
 * {@code hashtextextended(row::text, 0)} over the rows: a 64-bit hash computed in the server, several times
 * cheaper than md5 plus hex parsing. Row text depends on session settings, so the checksum pins
 * {@code TimeZone}, {@code DateStyle}, {@code IntervalStyle}, {@code extra_float_digits},
 * {@code bytea_output} and {@code lc_monetary} for its own transaction ({@code SET LOCAL}).
 */
final class PostgresIntrospector implements Introspector {
    static final String USER_RELATION = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' "
            + "AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass "
            + "AND e.objid = c.oid AND e.deptype = 'e')";
    static final String TABLES = "SELECT n.nspname, c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND "
            + USER_RELATION;
    private static final String[] ROW_TEXT_SETTINGS = {
        "TimeZone", "UTC", "DateStyle", "ISO, YMD", "IntervalStyle", "postgres", "extra_float_digits", "1",
        "bytea_output", "hex", "lc_monetary", "C"};

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
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                pinRowTextSettings(st);
                try (ResultSet rs = st.executeQuery("SELECT count(*), sum(hashtextextended(ROW(r.*)::text, 0)) FROM ONLY "
                        + qualified(table) + " AS r")) {
                    rs.next();
                    BigDecimal sum = rs.getBigDecimal(2);
                    return TableChecksum.of(rs.getLong(1), sum == null ? null : sum.toBigIntegerExact());
                }
            } finally {
                if (autoCommit) {
                    c.commit();
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw failed("compute the checksum of table " + table, e);
        }
    }

    static void pinRowTextSettings(Statement st) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ROW_TEXT_SETTINGS.length; i += 2) {
            sb.append("SET LOCAL ").append(ROW_TEXT_SETTINGS[i]).append(" = '").append(ROW_TEXT_SETTINGS[i + 1]).append("';");
        }
        st.execute(sb.toString());
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
        return PromoterException.failed("Unable to " + what + ": " + Connections.describe(e)
                + ". Check that the user may read it", e);
    }
}
