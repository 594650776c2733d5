package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A table's content checksum on any database (staging at verify, live at the switch, a restored backup): the
 * same function of the same bytes as the snapshot checksum the copy computes ({@link MySqlTableScan}), so the
 * two compare. It runs on the caller's session, set up like the copy's ({@link MySqlTableScan#SESSION}) for
 * the scan only: the session's own time_zone, character_set_results and sql_mode are put back afterwards, so
 * a pooled session's later statements see no change.
 */
final class MySqlChecksum {
    private static final String SAVE = "SELECT @@SESSION.time_zone, @@SESSION.character_set_results, @@SESSION.sql_mode";
    private static final String RESTORE = "SET SESSION time_zone = ?, character_set_results = ?, sql_mode = ?";

    private MySqlChecksum() {
    }

    static TableChecksum of(Connection c, TableRef table) throws SQLException {
        MySqlTableScan scan = MySqlTableScan.of(c, table);
        String[] saved = MySqlObjects.rows(c, SAVE).get(0);
        TableChecksum sum;
        try (Statement s = c.createStatement()) {
            s.execute(MySqlTableScan.SESSION);
            sum = scan.hashedInTool() ? streamed(c, scan) : aggregated(s, scan);
        } catch (SQLException | RuntimeException e) {
            try {
                restore(c, saved);
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        restore(c, saved);
        return sum;
    }

    /** Every row through the tool: the copy's SELECT, streamed (one row in memory at a time). */
    private static TableChecksum streamed(Connection c, MySqlTableScan scan) throws SQLException {
        MySqlTableScan.Hash hash = scan.hash();
        int columns = scan.columns().size();
        try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery(scan.select())) {
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        hash.field(rs.getBytes(i));
                    }
                    hash.endRow(rs);
                }
            }
        }
        return hash.checksum();
    }

    /** The server hashes and sums the rows: one aggregate row comes back instead of every row. */
    private static TableChecksum aggregated(Statement s, MySqlTableScan scan) throws SQLException {
        try (ResultSet rs = s.executeQuery(scan.serverChecksumSql())) {
            rs.next();
            BigDecimal sum = rs.getBigDecimal(2);
            return TableChecksum.of(rs.getLong(1), sum == null ? null : sum.toBigIntegerExact());
        }
    }

    private static void restore(Connection c, String[] saved) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RESTORE)) {
            for (int i = 0; i < saved.length; i++) {
                ps.setString(i + 1, saved[i]);
            }
            ps.execute();
        }
    }
}
