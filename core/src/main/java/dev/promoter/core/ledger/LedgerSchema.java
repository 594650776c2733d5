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

    /** Creates missing tables. Two processes creating them at once is tolerated: the loser retries once. */
    static void ensure(Jdbi jdbi) {
        for (int attempt = 0; ; attempt++) {
            try {
                jdbi.useHandle(LedgerSchema::create);
                return;
            } catch (RuntimeException e) {
                if (attempt > 0 || !(e.getCause() instanceof SQLException)) {
                    throw e;
                }
            }
        }
    }

    private static void create(Handle h) {
        DDL.forEach(h::execute);
    }
}
