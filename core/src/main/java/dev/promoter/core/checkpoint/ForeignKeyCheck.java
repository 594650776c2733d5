package dev.promoter.core.checkpoint;

import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every foreign key of the staging database holds: no child row points at a missing parent. Keys are
 * read from JDBC metadata and checked with one anti-join each, built from identifiers quoted by the
 * dialect; databases copy data before constraints, so a broken key can slip through without this.
 */
final class ForeignKeyCheck {
    private final Dialect dialect;

    ForeignKeyCheck(Dialect dialect) {
        this.dialect = dialect;
    }

    record ForeignKey(String name, TableRef child, List<String> childColumns, TableRef parent,
                      List<String> parentColumns) {
    }

    CheckpointResult run(Handle h, List<TableRef> tables) {
        List<String> broken = new ArrayList<>();
        int keys = 0;
        try {
            Map<TableRef, List<ForeignKey>> all = dialect.listsAllForeignKeysAtOnce() ? allKeys(h.getConnection()) : null;
            for (TableRef t : tables) {
                for (ForeignKey fk : all != null ? all.getOrDefault(t, List.of()) : keysOf(h.getConnection(), t)) {
                    keys++;
                    long orphans = h.createQuery(orphanQuery(fk)).mapTo(Long.class).one();
                    if (orphans > 0) {
                        broken.add(fk.name() + " (" + fk.child().display() + " -> " + fk.parent().display() + "): "
                                + orphans + " orphan row(s)");
                    }
                }
            }
        } catch (SQLException e) {
            return CheckpointResult.fail("foreign keys valid", "foreign-key", "no orphans", "error",
                    "unable to read foreign keys: SQLSTATE " + e.getSQLState() + ": " + e.getMessage(), 0);
        }
        return broken.isEmpty()
                ? CheckpointResult.pass("foreign keys valid", "foreign-key", "no orphans", keys + " key(s) hold", 0)
                : CheckpointResult.fail("foreign keys valid", "foreign-key", "no orphans", String.join("; ", broken),
                "child rows point at parent rows that do not exist: the migration moved or deleted parents "
                        + "without their children", 0);
    }

    private String orphanQuery(ForeignKey fk) {
        StringBuilder notNull = new StringBuilder();
        StringBuilder join = new StringBuilder();
        for (int i = 0; i < fk.childColumns().size(); i++) {
            String c = "c." + dialect.quote(fk.childColumns().get(i));
            notNull.append(i == 0 ? "" : " AND ").append(c).append(" IS NOT NULL");
            join.append(i == 0 ? "" : " AND ").append("p.").append(dialect.quote(fk.parentColumns().get(i)))
                    .append(" = ").append(c);
        }
        return "SELECT COUNT(*) FROM " + qualified(fk.child()) + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM "
                + qualified(fk.parent()) + " p WHERE " + join + ")";
    }

    private String qualified(TableRef t) {
        return t.schema() == null ? dialect.quote(t.name()) : dialect.quote(t.schema()) + "." + dialect.quote(t.name());
    }

    private static List<ForeignKey> keysOf(Connection c, TableRef t) throws SQLException {
        Map<String, ForeignKey> keys = new LinkedHashMap<>();
        String catalog = t.schema() == null ? c.getCatalog() : null;
        try (ResultSet rs = c.getMetaData().getImportedKeys(catalog, t.schema(), t.name())) {
            while (rs.next()) {
                add(keys, t, rs);
            }
        }
        return List.copyOf(keys.values());
    }

    /** Every foreign key of the database by child table, from one metadata call (schema-qualified dialects only). */
    private static Map<TableRef, List<ForeignKey>> allKeys(Connection c) throws SQLException {
        Map<TableRef, Map<String, ForeignKey>> byChild = new LinkedHashMap<>();
        try (ResultSet rs = c.getMetaData().getImportedKeys(null, null, null)) {
            while (rs.next()) {
                TableRef child = new TableRef(rs.getString("FKTABLE_SCHEM"), rs.getString("FKTABLE_NAME"));
                add(byChild.computeIfAbsent(child, k -> new LinkedHashMap<>()), child, rs);
            }
        }
        Map<TableRef, List<ForeignKey>> out = new LinkedHashMap<>();
        byChild.forEach((t, keys) -> out.put(t, List.copyOf(keys.values())));
        return out;
    }

    /** One row of getImportedKeys (a column pair of key FK_NAME, in KEY_SEQ order) added to {@code keys}. */
    private static void add(Map<String, ForeignKey> keys, TableRef child, ResultSet rs) throws SQLException {
        String name = rs.getString("FK_NAME");
        String pkSchema = child.schema() == null ? null : rs.getString("PKTABLE_SCHEM");
        TableRef parent = new TableRef(pkSchemaOr(pkSchema, child), rs.getString("PKTABLE_NAME"));
        ForeignKey fk = keys.computeIfAbsent(name == null ? "fk" + keys.size() : name, n -> new ForeignKey(n, child,
                new ArrayList<>(), parent, new ArrayList<>()));
        fk.childColumns().add(rs.getString("FKCOLUMN_NAME"));
        fk.parentColumns().add(rs.getString("PKCOLUMN_NAME"));
    }

    private static String pkSchemaOr(String pkSchema, TableRef child) {
        return child.schema() == null ? null : pkSchema == null ? child.schema() : pkSchema;
    }
}
