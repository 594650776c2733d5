package dev.promoter.core.ledger;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.SQLException;
import java.util.List;

/**
 * The ledger's tables. Portable on purpose: VARCHAR, INT and BIGINT only, times as epoch milliseconds,
 * so that the same statements serve H2, PostgreSQL and MySQL/MariaDB.
 */
final class LedgerSchema {
    static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS promoter_database (db_key VARCHAR(255) NOT NULL PRIMARY KEY,"
                    + " product VARCHAR(255) NOT NULL, version VARCHAR(64) NOT NULL, dialect VARCHAR(20) NOT NULL,"
                    + " updated_at BIGINT NOT NULL, updated_by VARCHAR(255) NOT NULL)",
            "CREATE TABLE IF NOT EXISTS promoter_run (run_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " db_key VARCHAR(255) NOT NULL, command VARCHAR(40) NOT NULL, product VARCHAR(255),"
                    + " dialect VARCHAR(20), from_version VARCHAR(64), to_version VARCHAR(64),"
                    + " started_at BIGINT NOT NULL, ended_at BIGINT, outcome VARCHAR(20), message VARCHAR(2000),"
                    + " backup_location VARCHAR(1000), staging_name VARCHAR(255), archive_name VARCHAR(255),"
                    + " report_dir VARCHAR(1000), watermark VARCHAR(2000))",
            "CREATE TABLE IF NOT EXISTS promoter_stage (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                    + " stage VARCHAR(40) NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT, outcome VARCHAR(20),"
                    + " detail VARCHAR(2000), PRIMARY KEY (run_id, seq))",
            "CREATE TABLE IF NOT EXISTS promoter_script (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                    + " script VARCHAR(1000) NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT,"
                    + " outcome VARCHAR(20), PRIMARY KEY (run_id, seq))",
            "CREATE TABLE IF NOT EXISTS promoter_checkpoint (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                    + " name VARCHAR(500) NOT NULL, kind VARCHAR(40) NOT NULL, status VARCHAR(20) NOT NULL,"
                    + " expected VARCHAR(2000), actual VARCHAR(2000), detail VARCHAR(2000), PRIMARY KEY (run_id, seq))",
            "CREATE TABLE IF NOT EXISTS promoter_snapshot (run_id VARCHAR(64) NOT NULL, seq INT NOT NULL,"
                    + " schema_name VARCHAR(255), table_name VARCHAR(255) NOT NULL, row_count BIGINT NOT NULL,"
                    + " hash_sum VARCHAR(64) NOT NULL, taken_at BIGINT NOT NULL, PRIMARY KEY (run_id, seq))",
            "CREATE TABLE IF NOT EXISTS promoter_lock (db_key VARCHAR(255) NOT NULL PRIMARY KEY,"
                    + " run_id VARCHAR(64) NOT NULL, holder VARCHAR(255) NOT NULL, acquired_at BIGINT NOT NULL,"
                    + " expires_at BIGINT NOT NULL)");

    private LedgerSchema() {
    }

    /** The ledger's tables and the column a privilege check updates in each (its first key column). */
    static final List<String[]> TABLES = List.of(new String[] {"promoter_database", "db_key"},
            new String[] {"promoter_run", "run_id"}, new String[] {"promoter_stage", "run_id"},
            new String[] {"promoter_script", "run_id"}, new String[] {"promoter_checkpoint", "run_id"},
            new String[] {"promoter_snapshot", "run_id"}, new String[] {"promoter_lock", "db_key"});

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
            } catch (dev.promoter.core.PromoterException e) {
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
        java.util.Set<String> existing = existing(h);
        for (int i = 0; i < DDL.size(); i++) {
            String table = TABLES.get(i)[0];
            if (!existing.contains(table)) {
                try {
                    h.execute(DDL.get(i));
                } catch (RuntimeException e) {
                    if (!(e.getCause() instanceof SQLException sql) || !"42501".equals(sql.getSQLState())
                            && !sql.getMessage().toLowerCase(java.util.Locale.ROOT).contains("denied")) {
                        throw e;
                    }
                    throw dev.promoter.core.PromoterException.refused("Unable to create the ledger table " + table
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
    private static java.util.Set<String> existing(Handle h) {
        java.util.Set<String> out = new java.util.HashSet<>();
        try {
            java.sql.DatabaseMetaData md = h.getConnection().getMetaData();
            String prefix = md.storesUpperCaseIdentifiers() ? "PROMOTER%" : "promoter%";
            try (java.sql.ResultSet rs = md.getTables(h.getConnection().getCatalog(), null, prefix, new String[] {"TABLE"})) {
                while (rs.next()) {
                    out.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
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
            for (String[] t : TABLES) {
                for (String sql : List.of("INSERT INTO " + t[0] + " SELECT * FROM " + t[0] + " WHERE 1 = 0",
                        "UPDATE " + t[0] + " SET " + t[1] + " = " + t[1] + " WHERE 1 = 0",
                        "DELETE FROM " + t[0] + " WHERE 1 = 0")) {
                    try {
                        h.execute(sql);
                    } catch (RuntimeException e) {
                        String why = e.getCause() instanceof SQLException sqe ? sqe.getMessage().strip() : e.toString();
                        throw dev.promoter.core.PromoterException.refused("The ledger in " + where(h) + " is not usable "
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
            return dev.promoter.core.db.ConnectionSpec.redact(md.getURL()) + " (as " + md.getUserName() + ")";
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
        StringBuilder tables = new StringBuilder();
        TABLES.forEach(t -> tables.append(tables.length() == 0 ? "" : ", ").append(t[0]));
        return "as their owner, in that database: GRANT SELECT, INSERT, UPDATE, DELETE ON " + tables + " TO " + user;
    }
}
