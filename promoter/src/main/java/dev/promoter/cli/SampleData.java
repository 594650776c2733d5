package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Realistic rows for the sample product at its oldest version (1.0.0 schema): storage volumes with an
 * audit trail, key-value pairs (some user-scoped), and workflow/task/action executions linked by parent.
 * Deterministic for a given scale, so runs are comparable.
 */
final class SampleData {
    private final Dialect dialect;
    private final int scale;

    /** {@code scale} 1 gives about 11,000 rows. */
    SampleData(Dialect dialect, int scale) {
        this.dialect = dialect;
        this.scale = scale;
    }

    long populate(ConnectionSpec spec) {
        try (Connection c = Connections.open(spec)) {
            c.setAutoCommit(false);
            Random rnd = new Random(42);
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            long rows = 0;
            int volumes = 50 * scale;
            try (PreparedStatement ps = c.prepareStatement(insert(c, "storage_volume", "name", "capacity_bytes", "created_at"))) {
                for (int i = 1; i <= volumes; i++) {
                    ps.setString(1, "vol-" + i);
                    ps.setLong(2, (1L + rnd.nextInt(512)) << 30);
                    ps.setTimestamp(3, Timestamp.from(t0.plusSeconds(i * 3600L)));
                    ps.addBatch();
                }
                rows += ps.executeBatch().length;
            }
            try (PreparedStatement ps = c.prepareStatement(insert(c, "audit_log", "volume_id", "action", "detail", "at"))) {
                String[] actions = {"attach", "detach", "resize", "snapshot", "scrub"};
                for (int i = 1; i <= 3000 * scale; i++) {
                    ps.setLong(1, 1 + rnd.nextInt(volumes));
                    ps.setString(2, actions[rnd.nextInt(actions.length)]);
                    ps.setString(3, i % 7 == 0 ? null : "by operator " + (i % 13));
                    ps.setTimestamp(4, Timestamp.from(t0.plusSeconds(i * 60L)));
                    ps.addBatch();
                }
                rows += ps.executeBatch().length;
            }
            try (PreparedStatement ps = c.prepareStatement(insert(c, "kv_pair", "name", "value", "expire_at"))) {
                for (int i = 1; i <= 2000 * scale; i++) {
                    ps.setString(1, (i % 4 == 0 ? "user:u" + (i % 97) + ":" : "config:") + "key-" + i);
                    ps.setString(2, "value " + Long.toHexString(rnd.nextLong()));
                    ps.setTimestamp(3, i % 5 == 0 ? Timestamp.from(t0.plusSeconds(86_400L * 365)) : null);
                    ps.addBatch();
                }
                rows += ps.executeBatch().length;
            }
            rows += executions(c, rnd, t0);
            c.commit();
            return rows;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to load sample data into " + spec + ": " + Connections.describe(e), e);
        }
    }

    /** Workflows, their tasks (parent = workflow) and actions (parent = task), ids in insert order. */
    private long executions(Connection c, Random rnd, Instant t0) throws SQLException {
        String[] status = {"succeeded", "succeeded", "succeeded", "failed", "running"};
        long rows = 0;
        try (PreparedStatement ps = c.prepareStatement(insert(c, "executions", "kind", "ref", "status", "parent_id",
                "started_at", "finished_at", "result"))) {
            long id = 0;
            for (int w = 0; w < 500 * scale; w++) {
                long wf = ++id;
                add(ps, "workflow", "wf.deploy_" + (w % 20), status[rnd.nextInt(status.length)], null, t0, w);
                for (int t = 0; t < 3; t++) {
                    long task = ++id;
                    add(ps, "task", "task.step_" + t, status[rnd.nextInt(status.length)], wf, t0, w);
                    for (int a = 0; a < 2; a++) {
                        ++id;
                        add(ps, "action", "core.remote_" + a, status[rnd.nextInt(status.length)], task, t0, w);
                    }
                }
                if (w % 100 == 99) {
                    rows += ps.executeBatch().length;
                }
            }
            rows += ps.executeBatch().length;
        }
        return rows;
    }

    private static void add(PreparedStatement ps, String kind, String ref, String status, Long parent, Instant t0, int n)
            throws SQLException {
        ps.setString(1, kind);
        ps.setString(2, ref);
        ps.setString(3, status);
        if (parent == null) {
            ps.setNull(4, java.sql.Types.BIGINT);
        } else {
            ps.setLong(4, parent);
        }
        ps.setTimestamp(5, Timestamp.from(t0.plusSeconds(n * 600L)));
        ps.setTimestamp(6, "running".equals(status) ? null : Timestamp.from(t0.plusSeconds(n * 600L + 42)));
        ps.setString(7, "running".equals(status) ? null : "{\"exit_code\": " + ("failed".equals(status) ? 1 : 0) + "}");
        ps.addBatch();
    }

    /** An INSERT naming the table and columns as the catalog spells them, quoted by the dialect. */
    private String insert(Connection c, String table, String... columns) throws SQLException {
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(dialect.quote(catalogName(c, null, table))).append(" (");
        for (int i = 0; i < columns.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dialect.quote(catalogName(c, table, columns[i])));
        }
        sb.append(") VALUES (").append("?, ".repeat(columns.length - 1)).append("?)");
        return sb.toString();
    }

    private static String catalogName(Connection c, String table, String wanted) throws SQLException {
        var md = c.getMetaData();
        try (ResultSet rs = table == null ? md.getTables(c.getCatalog(), null, "%", new String[]{"TABLE", "BASE TABLE"})
                : md.getColumns(c.getCatalog(), null, "%", "%")) {
            while (rs.next()) {
                String tableName = rs.getString("TABLE_NAME");
                if (table == null && tableName.equalsIgnoreCase(wanted)) {
                    return tableName;
                }
                if (table != null && tableName.equalsIgnoreCase(table)
                        && rs.getString("COLUMN_NAME").equalsIgnoreCase(wanted)) {
                    return rs.getString("COLUMN_NAME");
                }
            }
        }
        throw PromoterException.failed("Sample data: " + (table == null ? "table " : "column " + table + ".") + wanted
                + " not found; is the database at the product's oldest version?", null);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
