package dev.promoter.core.db;

import org.jdbi.v3.core.ConnectionFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Connections to one database kept open between handles and handed out again, at most {@code keep} of them idle: for
 * the ledger, which a run writes some 30 times (a new session cost 10-15 ms each). A new connection is opened by
 * {@link Connections#open}, so a login or database that refuses fails at once, with the server's reason and
 * {@link Connections#unableToConnect}'s advice (a pool such as Hikari's waited out its connection timeout, 30 s,
 * twice, and reported only that the timeout passed). A connection idle
 * for longer than a second is checked before it is handed out again, so one the server dropped meanwhile (a restart)
 * is replaced instead of failing the write. Connections come back only in autocommit, with no transaction open.
 */
public final class ReusedConnections implements ConnectionFactory, AutoCloseable {
    private static final long CHECK_AFTER_NANOS = 1_000_000_000L;

    private final ConnectionSpec spec;
    private final int keep;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    private record Idle(Connection connection, long since) {
    }

    public ReusedConnections(ConnectionSpec spec, int keep) {
        this.spec = spec;
        this.keep = keep;
    }

    @Override
    public Connection openConnection() throws SQLException {
        while (true) {
            Idle i;
            synchronized (this) {
                i = idle.pollFirst();
            }
            if (i == null) {
                try {
                    return Connections.open(spec);
                } catch (SQLException e) {
                    throw Connections.unableToConnect(spec, e); // the server's reason, and what to check
                }
            }
            if (!i.connection().isClosed()
                    && (System.nanoTime() - i.since() < CHECK_AFTER_NANOS || i.connection().isValid(5))) {
                return i.connection();
            }
            quietlyClose(i.connection());
        }
    }

    @Override
    public void closeConnection(Connection c) throws SQLException {
        boolean reuse = !c.isClosed() && c.getAutoCommit();
        synchronized (this) {
            if (reuse && !closed && idle.size() < keep) {
                idle.addFirst(new Idle(c, System.nanoTime()));
                return;
            }
        }
        c.close();
    }

    /** Closes the idle connections; one in use is closed when its handle ends. */
    @Override
    public void close() {
        Deque<Idle> left;
        synchronized (this) {
            closed = true;
            left = new ArrayDeque<>(idle);
            idle.clear();
        }
        left.forEach(i -> quietlyClose(i.connection()));
    }

    private static void quietlyClose(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // already gone; nothing was left uncommitted on it
        }
    }
}
