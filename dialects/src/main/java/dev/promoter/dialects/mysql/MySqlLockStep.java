package dev.promoter.dialects.mysql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A statement run on its own session in the background, so that the switch can queue it behind a lock
 * and see it waiting before letting the lock go. MySQL and MariaDB grant a waiting exclusive metadata lock
 * (RENAME TABLE, LOCK TABLES ... WRITE) before waiting shared ones (applications' DML), so a statement
 * queued this way runs before any application write: the same hand-over gh-ost's cut-over relies on.
 */
final class MySqlLockStep implements AutoCloseable {
    private final Connection session;
    private final long id;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "promoter-mysql-switch"));
    private Future<Void> running;
    private final Duration timeout;

    private MySqlLockStep(Connection session, long id, Duration timeout) {
        this.session = session;
        this.id = id;
        this.timeout = timeout;
    }

    /**
     * A session whose waits are all bounded by {@code timeout}: metadata locks ({@code lock_wait_timeout}) and InnoDB's
     * own ({@code innodb_lock_wait_timeout}). The second matters: a RENAME that holds every table's metadata lock and
     * then waits inside InnoDB (for a prepared XA transaction, which keeps its row locks but no metadata lock) blocks
     * every read and write of live meanwhile, cannot be stopped by KILL QUERY there, and would otherwise wait the
     * server's 50 s default.
     */
    static MySqlLockStep open(ConnectionSpec spec, Duration timeout) throws SQLException {
        Connection c = Connections.open(spec);
        long seconds = Math.max(1, timeout.toSeconds());
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION lock_wait_timeout = " + seconds);
            s.execute("SET SESSION innodb_lock_wait_timeout = " + seconds);
            try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                return new MySqlLockStep(c, rs.getLong(1), Duration.ofSeconds(seconds));
            }
        }
    }

    Connection session() {
        return session;
    }

    long id() {
        return id;
    }

    /** True once the background statement has ended (granted and run, or failed). */
    boolean isDone() {
        return running != null && running.isDone();
    }

    /**
     * Stops a statement still waiting for its lock ({@code KILL QUERY} from {@code monitor}, as a pending lock
     * request cannot be withdrawn from the session itself) and waits for it to end: at most its two lock timeouts
     * and 10 s more, since a wait inside InnoDB does not heed the kill. Returns false when it still runs then, so the
     * caller must not act as if it had not run: closing the session does not stop a statement on the server. True
     * when no statement runs (any more).
     */
    boolean abort(Connection monitor) {
        if (running == null || running.isDone()) {
            return true;
        }
        try (Statement k = monitor.createStatement()) {
            k.execute("KILL QUERY " + id);
        } catch (SQLException ignored) {
            // the statement ended on its own meanwhile
        }
        try {
            running.get(timeout.multipliedBy(2).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ignored) {
            // killed or timed out: the expected outcome
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /** Starts {@code sql} in the background. */
    void start(String sql) {
        running = thread.submit(() -> {
            try (Statement s = session.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }

    /** Waits until the statement is queued on a lock (or has already finished); false when neither happens in time. */
    boolean awaitQueued(Connection monitor, Duration max) throws SQLException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            if (running.isDone()) {
                return true;
            }
            List<String[]> r = MySqlObjects.rows(monitor, "SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                    Long.toString(id));
            if (!r.isEmpty() && r.get(0)[0] != null && r.get(0)[0].toLowerCase(java.util.Locale.ROOT).contains("waiting for")) {
                return true;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Waits for the statement to end; rethrows its SQLException. */
    void await(Duration max) throws SQLException {
        try {
            running.get(max.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new SQLException("statement on session " + id + " did not finish in " + max, "HYT00", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", "HY008", e);
        }
    }

    void execute(String sql) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            session.close();
        } catch (SQLException ignored) {
            // closing the session releases whatever it holds
        }
    }
}
