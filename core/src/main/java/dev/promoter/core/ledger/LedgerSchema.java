package dev.promoter.core.ledger;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ledger's tables. Portable on purpose: VARCHAR, INT and BIGINT only, times as epoch milliseconds,
 * so that the same statements serve H2, PostgreSQL and MySQL/MariaDB.
 */
final class LedgerSchema {
    /** A ledger table: its name, the key column a privilege check updates, its DDL. */
    record Table(String name, String key, String ddl) {
    }

    static final List<Table> TABLES = List.of(
            new Table("promoter_database", "db_key",
                    "CREATE TABLE IF NOT EXISTS promoter_database (db_key VARCHAR(255) NOT NULL PRIMARY KEY,"
                            + " product VARCHAR(255) NOT NULL, version VARCHAR(64) NOT NULL, dialect VARCHAR(20) NOT NULL,"
                            + " updated_at BIGINT NOT NULL, updated_by VARCHAR(255) NOT NULL)"),
            new Table("promoter_run", "run_id",
                    "CREATE TABLE IF NOT EXISTS promoter_run (run_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                            + " db_key VARCHAR(255) NOT NULL, command VARCHAR(40) NOT NULL, product VARCHAR(255),"
                            + " dialect VARCHAR(20), from_version VARCHAR(64), to_version VARCHAR(64),"
                            + " started_at BIGINT NOT NULL, ended_at BIGINT, outcome VARCHAR(20), message VARCHAR(2000),"
                            + " backup_location VARCHAR(1000), staging_name VARCHAR(255), archive_name VARCHAR(255),"
                            + " report_dir VARCHAR(1000), watermark VARCHAR(2000))"),
            new Table("promoter_stage", "run_id",
                    "CREATE TABLE IF NOT EXISTS promoter_stage (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                            + " stage VARCHAR(40) NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT, outcome VARCHAR(20),"
                            + " detail VARCHAR(2000), PRIMARY KEY (run_id, seq))"),
            new Table("promoter_script", "run_id",
                    "CREATE TABLE IF NOT EXISTS promoter_script (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                            + " script VARCHAR(1000) NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT,"
                            + " outcome VARCHAR(20), PRIMARY KEY (run_id, seq))"),
            new Table("promoter_checkpoint", "run_id",
                    "CREATE TABLE IF NOT EXISTS promoter_checkpoint (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                            + " name VARCHAR(500) NOT NULL, kind VARCHAR(40) NOT NULL, status VARCHAR(20) NOT NULL,"
                            + " expected VARCHAR(2000), actual VARCHAR(2000), detail VARCHAR(2000), PRIMARY KEY (run_id, seq))"),
            new Table("promoter_snapshot", "run_id",
                    "CREATE TABLE IF NOT EXISTS promoter_snapshot (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                            + " schema_name VARCHAR(255), table_name VARCHAR(255) NOT NULL, row_count BIGINT NOT NULL,"
                            + " hash_sum VARCHAR(64) NOT NULL, taken_at BIGINT NOT NULL, PRIMARY KEY (run_id, seq))"),
            new Table("promoter_lock", "db_key",
                    "CREATE TABLE IF NOT EXISTS promoter_lock (db_key VARCHAR(255) NOT NULL PRIMARY KEY,"
                            + " run_id VARCHAR(64) NOT NULL, holder VARCHAR(255) NOT NULL, acquired_at BIGINT NOT NULL,"
                            + " expires_at BIGINT NOT NULL)"));

    private LedgerSchema() {
    }

    /**
     * Creates missing tables, then checks that this login may read and write every one (a role that did not
     * create them may lack the privileges: refused, with the GRANT that fixes it, before a run starts). Two
     * processes creating them at once is tolerated: the loser retries once.
     */
    static void ensure(Jdbi jdbi) {
        for (int attempt = 0; ; attempt++) {
            try {
                jdbi.useHandle(h -> {
                    create(h);
                    checkPrivileges(h);
                });
                return;
            } catch (PromoterException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt > 0 || !(e.getCause() instanceof SQLException)) {
                    throw e;
                }
            }
        }
    }

    /** Only the missing tables are created: CREATE ... IF NOT EXISTS needs the right to create even when they exist. */
    private static void create(Handle h) {
        Set<String> existing = existing(h);
        for (Table t : TABLES) {
            String table = t.name();
            if (!existing.contains(table)) {
                try {
                    h.execute(t.ddl());
                } catch (RuntimeException e) {
                    if (!(e.getCause() instanceof SQLException sql) || !"42501".equals(sql.getSQLState())
                            && !sql.getMessage().toLowerCase(Locale.ROOT).contains("denied")) {
                        throw e;
                    }
                    throw PromoterException.refused("Unable to create the ledger table " + table
                            + " in " + where(h) + ": " + sql.getMessage().strip() + ". Create the ledger once as a role "
                            + "that may (any promote command run by the owner of that database or a superuser does), then "
                            + grant(h) + "; or give this role the right to create tables in that schema");
                }
            }
        }
    }

    /**
     * The ledger tables that exist, whoever may read them (the catalog's view, so a table this login has no
     * privilege on counts), lower case; one metadata call. Empty when the catalog cannot be read (then
     * CREATE ... IF NOT EXISTS decides).
     */
    private static Set<String> existing(Handle h) {
        Set<String> out = new HashSet<>();
        try {
            DatabaseMetaData md = h.getConnection().getMetaData();
            String prefix = md.storesUpperCaseIdentifiers() ? "PROMOTER%" : "promoter%";
            try (ResultSet rs = md.getTables(h.getConnection().getCatalog(), null, prefix, new String[] {"TABLE"})) {
                while (rs.next()) {
                    out.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                }
            }
        } catch (SQLException e) {
            out.clear();
        }
        return out;
    }

    /** Reads and writes (nothing: no row matches) every table in a transaction that is rolled back. */
    private static void checkPrivileges(Handle h) {
        h.begin();
        try {
            for (Table t : TABLES) {
                for (String sql : List.of("INSERT INTO " + t.name() + " SELECT * FROM " + t.name() + " WHERE 1 = 0",
                        "UPDATE " + t.name() + " SET " + t.key() + " = " + t.key() + " WHERE 1 = 0",
                        "DELETE FROM " + t.name() + " WHERE 1 = 0")) {
                    try {
                        h.execute(sql);
                    } catch (RuntimeException e) {
                        String why = e.getCause() instanceof SQLException sqe ? sqe.getMessage().strip() : e.toString();
                        throw PromoterException.refused("The ledger in " + where(h) + " is not usable "
                                + "by this login: " + why + ". The ledger records every run and holds the promotion lock; "
                                + grant(h) + ", or run as the role that created its tables");
                    }
                }
            }
        } finally {
            h.rollback();
        }
    }

    /** The ledger's URL and login, for messages. */
    private static String where(Handle h) {
        try {
            var md = h.getConnection().getMetaData();
            return ConnectionSpec.redact(md.getURL()) + " (as " + md.getUserName() + ")";
        } catch (SQLException e) {
            return "the ledger database";
        }
    }

    private static String grant(Handle h) {
        String user;
        try {
            user = h.getConnection().getMetaData().getUserName();
        } catch (SQLException e) {
            user = "<this role>";
        }
        String tables = String.join(", ", TABLES.stream().map(Table::name).toList());
        return "as their owner, in that database: GRANT SELECT, INSERT, UPDATE, DELETE ON " + tables + " TO " + user;
    }
}
