package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The users' rows in extensions' configuration tables (pg_cron's cron.job, pg_partman's part_config, PostGIS's
 * spatial_ref_sys...), which an extension marks with {@code pg_extension_config_dump(table, condition)}. Such a
 * table belongs to the extension: pre-data's {@code CREATE EXTENSION} makes it in staging with the extension's
 * own rows, so the clone then appends the rows the condition selects, as pg_dump dumps and pg_restore loads them
 * (the extension's own rows are never copied twice). Staging's rows under the condition are read back in the
 * same transaction and must hash equal to those sent, or the clone fails. Configuration sequences are set with
 * the other sequences ({@link PostgresCloner#readSequences}).
 * <p>
 * These tables are not user tables ({@link PostgresIntrospector#USER_RELATION}), so verify does not compare them:
 * the read-back here is their check.
 */
final class PostgresExtensionRows {
    /** SQL: relation {@code c} is one an extension marked with pg_extension_config_dump (its rows or position are the users'). */
    static final String CONFIGURATION = "c.oid IN (SELECT unnest(extconfig) FROM pg_extension)";

    private PostgresExtensionRows() {
    }

    /** One configuration table: its extension and the condition that selects the rows pg_dump dumps. */
    record ConfigTable(String extension, TableRef table, String condition) {
        String display() {
            return table.display() + " of extension " + extension;
        }
    }

    /** The dumped rows of one configuration table, as copied; {@code file} is its backup file (null without one). */
    record Copied(ConfigTable config, TableChecksum checksum, PostgresCopyBackup.TableFile file) {
    }

    /** The ordinary configuration tables of the connection's database, by extension then name. */
    static List<ConfigTable> tables(Connection c) throws SQLException {
        List<ConfigTable> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT e.extname, n.nspname, "
                + "c.relname, coalesce(x.cond, '') FROM pg_extension e "
                + "CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) AS x(cfg, cond) "
                + "JOIN pg_class c ON c.oid = x.cfg JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind = 'r' ORDER BY 1, 2, 3")) {
            while (rs.next()) {
                out.add(new ConfigTable(rs.getString(1), new TableRef(rs.getString(2), rs.getString(3)), rs.getString(4)));
            }
        }
        return out;
    }

    /**
     * Copies every configuration table's dumped rows from {@code source} (a connection in the snapshot, or on the
     * template's copy) into {@code staging} (null: none) and into files of {@code backup} (null: none). Staging's
     * part is one transaction per table, committed only after its read-back matched.
     */
    static List<Copied> copy(Connection source, Connection staging, BackupWriter backup) throws SQLException, IOException {
        List<Copied> out = new ArrayList<>();
        List<ConfigTable> tables = tables(source);
        if (tables.isEmpty()) {
            return out;
        }
        PostgresCopyRows.pinSettings(source, !source.getAutoCommit());
        int index = 0;
        for (ConfigTable t : tables) {
            index++;
            PostgresCopyRows shape = PostgresCopyRows.of(source, t.table());
            String file = backup == null ? null : PostgresCopyBackup.extensionFile(index);
            TableChecksum sum;
            try (OutputStream f = file == null ? null : backup.create(file)) {
                sum = staging == null ? shape.read(source, shape.copyOut(t.table(), t.condition()), t.table(), f)
                        : relay(source, staging, shape, t, f);
            } catch (SQLException e) {
                throw PromoterException.failed("Unable to copy the rows of configuration table " + t.display() + " ("
                        + (t.condition().isBlank() ? "all rows" : t.condition()) + "): SQLSTATE " + e.getSQLState() + ": "
                        + e.getMessage() + ". Staging is incomplete: drop it and clone again, or use --clone-strategy "
                        + "template (the server copies the files)" + PostgresCopyRows.rowSecurityHint(e), e);
            }
            out.add(new Copied(t, sum, file == null ? null : new PostgresCopyBackup.TableFile(t.table().schema(),
                    t.table().name(), List.of(file), shape.format(), shape.columns(), sum.rows())));
        }
        return out;
    }

    /** Streams the dumped rows into staging (and {@code file}), then reads staging's back; returns the checksum. */
    private static TableChecksum relay(Connection source, Connection staging, PostgresCopyRows shape, ConfigTable t,
                                       OutputStream file) throws SQLException, IOException {
        boolean autoCommit = staging.getAutoCommit();
        staging.setAutoCommit(false);
        try {
            PostgresCopyRows.pinSettings(staging, true);
            PostgresCopyRows.Hash hash = shape.hash();
            CopyOut out = source.unwrap(PGConnection.class).getCopyAPI().copyOut(shape.copyOut(t.table(), t.condition()));
            CopyIn in = null;
            long written;
            try {
                in = staging.unwrap(PGConnection.class).getCopyAPI().copyIn(shape.copyInAppend(t.table()));
                byte[] row;
                while ((row = out.readFromCopy()) != null) {
                    hash.accept(row);
                    in.writeToCopy(row, 0, row.length);
                    if (file != null) {
                        file.write(row);
                    }
                }
                written = in.endCopy();
            } finally {
                PostgresTableCopier.cancel(out, in);
            }
            TableChecksum sent = hash.checksum(out.getHandledRowCount(), t.table());
            TableChecksum back = shape.read(staging, shape.copyOut(t.table(), t.condition()), t.table(), null);
            if (written != sent.rows() || !back.equals(sent)) {
                throw PromoterException.failed("Configuration table " + t.display() + " did not copy exactly: "
                        + sent.rows() + " rows were sent, staging took " + written + " and now holds " + back.rows()
                        + " under the extension's condition (" + sent.text() + " sent, " + back.text() + " read back). "
                        + "Staging's CREATE EXTENSION may make rows of its own that the condition selects (a different "
                        + "extension version?). Nothing was promoted; use --clone-strategy template", null);
            }
            staging.commit();
            return sent;
        } finally {
            if (!staging.getAutoCommit()) {
                staging.rollback();
                staging.setAutoCommit(autoCommit);
            }
        }
    }
}
