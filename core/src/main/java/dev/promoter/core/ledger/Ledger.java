package dev.promoter.core.ledger;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.ReusedConnections;
import dev.promoter.core.version.Version;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The tool's own record, kept on the live server outside the databases being swapped: the live
 * version of each database, every run with its stages, scripts and checkpoints.
 */
public final class Ledger implements AutoCloseable {
    private final Jdbi jdbi;
    private final Clock clock;
    private final AutoCloseable connections;

    private Ledger(Jdbi jdbi, Clock clock, AutoCloseable connections) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.connections = connections;
    }

    /** Opens the ledger, creating its tables when they are missing. */
    public static Ledger open(Jdbi jdbi, Clock clock) {
        LedgerSchema.ensure(jdbi);
        return new Ledger(jdbi, clock, null);
    }

    /**
     * Opens the ledger at {@code spec} keeping up to two connections open between writes (the run's thread and the
     * lock's heartbeat; {@link ReusedConnections}) until {@link #close}: for a run, which writes the ledger at every
     * stage, script and checkpoint.
     */
    public static Ledger pooled(ConnectionSpec spec, Clock clock) {
        ReusedConnections connections = new ReusedConnections(spec, 2);
        try {
            Jdbi jdbi = Jdbi.create(connections);
            LedgerSchema.ensure(jdbi);
            return new Ledger(jdbi, clock, connections);
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    /** Closes the connections the ledger kept, if it keeps any; a ledger opened over a Jdbi of the caller's is left as it is. */
    @Override
    public void close() {
        if (connections != null) {
            try {
                connections.close();
            } catch (Exception e) {
                // the connections are gone with the process at the latest; every write was committed
            }
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Clock clock() {
        return clock;
    }

    long now() {
        return clock.millis();
    }

    // ---- live versions ------------------------------------------------------------------------

    public Optional<LiveRecord> live(String dbKey) {
        return jdbi.withHandle(h -> h.createQuery("SELECT db_key, product, version, dialect, updated_at, updated_by"
                        + " FROM promoter_database WHERE db_key = :k").bind("k", dbKey)
                .map((rs, ctx) -> new LiveRecord(rs.getString(1), rs.getString(2), Version.parse(rs.getString(3)),
                        rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6)))
                .findOne());
    }

    /** Records that {@code dbKey} now holds {@code product} at {@code version}. */
    public void setLive(String dbKey, String product, Version version, String dialect, String by) {
        jdbi.useTransaction(h -> setLive(h, dbKey, product, version, dialect, by));
    }

    void setLive(Handle h, String dbKey, String product, Version version, String dialect, String by) {
        int n = h.createUpdate("UPDATE promoter_database SET product = :p, version = :v, dialect = :d,"
                        + " updated_at = :t, updated_by = :b WHERE db_key = :k")
                .bind("p", product).bind("v", version.toString()).bind("d", dialect).bind("t", now())
                .bind("b", by).bind("k", dbKey).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO promoter_database (db_key, product, version, dialect, updated_at, updated_by)"
                            + " VALUES (:k, :p, :v, :d, :t, :b)")
                    .bind("p", product).bind("v", version.toString()).bind("d", dialect).bind("t", now())
                    .bind("b", by).bind("k", dbKey).execute();
        }
    }

    /** Moves a database's record to a new key (the old live keeps its history under the archive's key). */
    public void forget(String dbKey) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM promoter_database WHERE db_key = :k").bind("k", dbKey).execute());
    }

    // ---- runs -----------------------------------------------------------------------------------

    public void startRun(String runId, String dbKey, String command, String product, String dialect,
                         String from, String to) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO promoter_run (run_id, db_key, command, product, dialect,"
                        + " from_version, to_version, started_at) VALUES (:r, :k, :c, :p, :d, :f, :t, :s)")
                .bind("r", runId).bind("k", dbKey).bind("c", command).bind("p", product).bind("d", dialect)
                .bind("f", from).bind("t", to).bind("s", now()).execute());
    }

    public void setRunField(String runId, RunField field, String value) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE promoter_run SET " + field.column + " = :v WHERE run_id = :r")
                .bind("v", clip(value, 2000)).bind("r", runId).execute());
    }

    public void endRun(String runId, String outcome, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE promoter_run SET ended_at = :e, outcome = :o, message = :m"
                        + " WHERE run_id = :r")
                .bind("e", now()).bind("o", outcome).bind("m", clip(message, 2000)).bind("r", runId).execute());
    }

    /**
     * Ends a successful promotion in one transaction: the run's outcome and the new live version, so the
     * ledger never says "promoted" without the version, or the other way round.
     */
    public void endPromotion(String runId, String dbKey, String product, Version version, String dialect,
                             String message) {
        jdbi.useTransaction(h -> {
            setLive(h, dbKey, product, version, dialect, "run " + runId);
            h.createUpdate("UPDATE promoter_run SET ended_at = :e, outcome = 'PROMOTED', message = :m WHERE run_id = :r")
                    .bind("e", now()).bind("m", clip(message, 2000)).bind("r", runId).execute();
        });
    }

    /**
     * Called by the lock holder: every other run of {@code dbKey} that never ended died (its lease ran out), and is
     * recorded as ABANDONED. Returns how many.
     */
    public int abandonUnfinished(String dbKey, String holderRunId) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE promoter_run SET ended_at = :e, outcome = 'ABANDONED',"
                        + " message = 'the run died before it ended (its promotion lock lease expired)'"
                        + " WHERE db_key = :k AND ended_at IS NULL AND run_id <> :r")
                .bind("e", now()).bind("k", dbKey).bind("r", holderRunId).execute());
    }

    public Optional<RunRecord> run(String runId) {
        return jdbi.withHandle(h -> h.createQuery(RUN_SELECT + " WHERE run_id = :r").bind("r", runId)
                .map(Ledger::runRow).findOne());
    }

    /** The newest runs first; {@code dbKey} null means every database. */
    public List<RunRecord> history(String dbKey, int limit) {
        return jdbi.withHandle(h -> {
            var q = h.createQuery(RUN_SELECT + (dbKey == null ? "" : " WHERE db_key = :k")
                    + " ORDER BY started_at DESC, run_id DESC");
            if (dbKey != null) {
                q.bind("k", dbKey);
            }
            return q.setMaxRows(limit).map(Ledger::runRow).list();
        });
    }

    private static final String RUN_SELECT = "SELECT run_id, db_key, command, product, dialect, from_version,"
            + " to_version, started_at, ended_at, outcome, message, backup_location, staging_name, archive_name,"
            + " report_dir, watermark FROM promoter_run";

    private static RunRecord runRow(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RunRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), instant(rs, 8), instant(rs, 9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16));
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    // ---- stages, scripts, checkpoints -------------------------------------------------------------

    public int stageStarted(String runId, String stage) {
        return jdbi.inTransaction(h -> {
            int seq = nextSeq(h, "promoter_stage", runId);
            h.createUpdate("INSERT INTO promoter_stage (run_id, seq, stage, started_at) VALUES (:r, :s, :n, :t)")
                    .bind("r", runId).bind("s", seq).bind("n", stage).bind("t", now()).execute();
            return seq;
        });
    }

    public void stageEnded(String runId, int seq, String outcome, String detail) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE promoter_stage SET ended_at = :t, outcome = :o, detail = :d"
                        + " WHERE run_id = :r AND seq = :s")
                .bind("t", now()).bind("o", outcome).bind("d", clip(detail, 2000)).bind("r", runId).bind("s", seq)
                .execute());
    }

    public List<StageRecord> stages(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT run_id, seq, stage, started_at, ended_at, outcome, detail"
                        + " FROM promoter_stage WHERE run_id = :r ORDER BY seq").bind("r", runId)
                .map((rs, ctx) -> new StageRecord(rs.getString(1), rs.getInt(2), rs.getString(3), instant(rs, 4),
                        instant(rs, 5), rs.getString(6), rs.getString(7))).list());
    }

    /** Recorded BEFORE a script runs, so a crash mid-script stays visible. */
    public int scriptStarted(String runId, String script) {
        return jdbi.inTransaction(h -> {
            int seq = nextSeq(h, "promoter_script", runId);
            h.createUpdate("INSERT INTO promoter_script (run_id, seq, script, started_at) VALUES (:r, :s, :n, :t)")
                    .bind("r", runId).bind("s", seq).bind("n", clip(script, 1000)).bind("t", now()).execute();
            return seq;
        });
    }

    public void scriptEnded(String runId, int seq, String outcome) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE promoter_script SET ended_at = :t, outcome = :o"
                        + " WHERE run_id = :r AND seq = :s")
                .bind("t", now()).bind("o", outcome).bind("r", runId).bind("s", seq).execute());
    }

    /** Scripts of {@code runId} that started and never ended (the run died inside them). */
    public List<String> unfinishedScripts(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT script FROM promoter_script WHERE run_id = :r"
                + " AND ended_at IS NULL ORDER BY seq").bind("r", runId).mapTo(String.class).list());
    }

    public void recordCheckpoints(String runId, List<LedgerCheckpoint> results) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM promoter_checkpoint WHERE run_id = :r").bind("r", runId).execute();
            var batch = h.prepareBatch("INSERT INTO promoter_checkpoint (run_id, seq, name, kind, status, expected,"
                    + " actual, detail) VALUES (:r, :s, :n, :k, :st, :e, :a, :d)");
            int seq = 0;
            for (LedgerCheckpoint c : results) {
                batch.bind("r", runId).bind("s", ++seq).bind("n", clip(c.name(), 500)).bind("k", c.kind())
                        .bind("st", c.status()).bind("e", clip(c.expected(), 2000)).bind("a", clip(c.actual(), 2000))
                        .bind("d", clip(c.detail(), 2000)).add();
            }
            if (seq > 0) {
                batch.execute();
            }
        });
    }

    public List<LedgerCheckpoint> checkpoints(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT run_id, seq, name, kind, status, expected, actual, detail"
                        + " FROM promoter_checkpoint WHERE run_id = :r ORDER BY seq").bind("r", runId)
                .map((rs, ctx) -> new LedgerCheckpoint(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8))).list());
    }

    /** Keeps the clone's snapshot (per-table counts and checksums) so that a later switch or verify can use it. */
    public void saveSnapshot(String runId, Snapshot snapshot) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM promoter_snapshot WHERE run_id = :r").bind("r", runId).execute();
            var batch = h.prepareBatch("INSERT INTO promoter_snapshot (run_id, seq, schema_name, table_name, row_count,"
                    + " hash_sum, taken_at) VALUES (:r, :s, :sc, :t, :n, :h, :at)");
            int seq = 0;
            for (var e : snapshot.tables().entrySet()) {
                batch.bind("r", runId).bind("s", ++seq).bind("sc", e.getKey().schema()).bind("t", e.getKey().name())
                        .bind("n", e.getValue().rows()).bind("h", e.getValue().hashSum().toString(16))
                        .bind("at", snapshot.takenAt().toEpochMilli()).add();
            }
            if (seq > 0) {
                batch.execute();
            }
        });
    }

    /** The snapshot of a run (without its write freeze, which ended with the run). */
    public Optional<Snapshot> snapshot(String runId) {
        return jdbi.withHandle(h -> {
            Map<TableRef, TableChecksum> tables = new TreeMap<>();
            long[] takenAt = {-1};
            h.createQuery("SELECT schema_name, table_name, row_count, hash_sum, taken_at FROM promoter_snapshot"
                    + " WHERE run_id = :r ORDER BY seq").bind("r", runId).map((rs, ctx) -> {
                        tables.put(new TableRef(rs.getString(1), rs.getString(2)),
                                TableChecksum.of(rs.getLong(3), new BigInteger(rs.getString(4), 16)));
                        takenAt[0] = rs.getLong(5);
                        return null;
                    }).list();
            String watermark = h.createQuery("SELECT watermark FROM promoter_run WHERE run_id = :r").bind("r", runId)
                    .mapTo(String.class).findOne().orElse(null);
            return takenAt[0] < 0 ? Optional.<Snapshot>empty()
                    : Optional.of(Snapshot.of(Instant.ofEpochMilli(takenAt[0]), watermark, tables, WriteFreeze.NONE));
        });
    }

    private static int nextSeq(Handle h, String table, String runId) {
        return h.createQuery("SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table + " WHERE run_id = :r")
                .bind("r", runId).mapTo(Integer.class).one();
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    static PromoterException unable(String what, Exception e) {
        return PromoterException.failed("Unable to " + what + " in the ledger: " + e.getMessage(), e);
    }
}
