package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot's watermark: {@code binlog=<file>:<pos>;gtid=<set>;digest=<sha-256>}. The binlog position and
 * GTID set are present when the server writes a binary log (they name the exact point of the snapshot);
 * the digest of the per-table checksums works everywhere, binlog or not.
 */
final class MySqlWatermark {
    private MySqlWatermark() {
    }

    /** The binary log position and GTID set, read under the global read lock; "binlog=off" without binlog. */
    static String position(Connection c) {
        StringBuilder sb = new StringBuilder();
        for (String sql : List.of("SHOW MASTER STATUS", "SHOW BINARY LOG STATUS")) {
            try {
                List<String[]> r = MySqlObjects.rows(c, sql);
                sb.append(r.isEmpty() ? "binlog=off" : "binlog=" + r.get(0)[0] + ":" + r.get(0)[1]);
                break;
            } catch (SQLException e) {
                // SHOW MASTER STATUS is gone from MySQL 8.4; try its new name
            }
        }
        for (String sql : List.of("SELECT @@GLOBAL.gtid_current_pos", "SELECT @@GLOBAL.gtid_executed")) {
            try {
                String g = MySqlObjects.rows(c, sql).get(0)[0];
                sb.append(";gtid=").append(g == null ? "" : g.replace("\n", ""));
                break;
            } catch (SQLException e) {
                // MariaDB has gtid_current_pos, MySQL gtid_executed
            }
        }
        return sb.isEmpty() ? "binlog=unknown" : sb.toString();
    }

    static String digest(Map<TableRef, TableChecksum> sums) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(sums).forEach((t, c) -> md.update((t.display() + "=" + c.text() + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
