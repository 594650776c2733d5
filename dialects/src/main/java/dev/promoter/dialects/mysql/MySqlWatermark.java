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
 * The snapshot's watermark: {@code binlog=<file>:<pos>;gtid=<set>;digest=<sha-256>;schema=<digests>}. The binlog
 * position and GTID set are present when the server writes a binary log (they name the exact point of the
 * snapshot); the digest of the per-table checksums works everywhere, binlog or not; the schema digests
 * ({@link #schema}) let the switch see DDL, which changes no row.
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

    /**
     * A digest per kind of object (tables, views, routines, triggers, events) of live's definitions as SHOW CREATE
     * gives them, a table's AUTO_INCREMENT counter left out (an insert, even rolled back, moves it; the checksums
     * see rows). A schema change moves no row (CREATE INDEX, CREATE VIEW), so the switch compares these too.
     * Returns {@code kind:hex,...}.
     */
    static String schema(MySqlObjects o) {
        Map<String, List<MySqlObjects.Ddl>> kinds = new java.util.LinkedHashMap<>();
        kinds.put("tables", o.tables());
        kinds.put("views", o.views());
        kinds.put("routines", o.routines());
        kinds.put("triggers", o.triggers());
        kinds.put("events", o.events());
        StringBuilder sb = new StringBuilder();
        kinds.forEach((kind, ddl) -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ddl.stream().map(d -> d.kind() + " " + d.name() + " " + d.table() + " " + d.sqlMode() + " " + d.timeZone()
                                + "\n" + AUTO_INCREMENT.matcher(d.sql()).replaceAll("") + "\n")
                        .sorted().forEach(t -> md.update(t.getBytes(StandardCharsets.UTF_8)));
                sb.append(sb.isEmpty() ? "" : ",").append(kind).append(':').append(HexFormat.of().formatHex(md.digest()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
        return sb.toString();
    }

    private static final java.util.regex.Pattern AUTO_INCREMENT = java.util.regex.Pattern.compile(" AUTO_INCREMENT=\\d+");

    /**
     * The kinds of object whose definitions differ between the {@code schema=} part of {@code watermark} and
     * {@code now}; empty when they agree, or when the watermark has no such part (taken by an older version).
     */
    static List<String> schemaChanges(String watermark, MySqlObjects now) {
        String then = null;
        for (String part : watermark.split(";")) {
            if (part.startsWith("schema=")) {
                then = part.substring("schema=".length());
            }
        }
        if (then == null) {
            return List.of();
        }
        List<String> before = List.of(then.split(","));
        return List.of(schema(now).split(",")).stream().filter(k -> !before.contains(k))
                .map(k -> k.substring(0, k.indexOf(':'))).toList();
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
