package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.WriteFreeze;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Live's write freeze: one dedicated session holds {@code LOCK TABLES t1 READ, t2 READ, ...} over every
 * base table of live, taken while the snapshot's global read lock is still held, so no write can commit
 * on live between the snapshot and the switch.
 *
 * <p>Why this and not {@code SET GLOBAL read_only}: the lock covers only live's tables (other databases on
 * the server keep working), holds for every user (read_only does not stop SUPER / READ_ONLY ADMIN users),
 * and is released by the server if Promoter dies (a forgotten read_only would keep the whole server
 * read-only). What applications see: reads work; a write to live <em>waits</em> (it does not fail) until
 * the switch or {@link #release()}, up to its session's {@code lock_wait_timeout}. At the switch the
 * waiting writes are let in after the rename, so they land in the new live: none is lost.
 */
final class MySqlWriteFreeze implements WriteFreeze {
    private final Connection session;
    private final long connectionId;
    private final List<String> tables;
    private final String database;
    private boolean released;

    private MySqlWriteFreeze(Connection session, long connectionId, String database, List<String> tables) {
        this.session = session;
        this.connectionId = connectionId;
        this.database = database;
        this.tables = List.copyOf(tables);
    }

    /** Takes the read locks on {@code session} (whose default database is live); the session is owned from now on. */
    static MySqlWriteFreeze take(Connection session, String database, List<String> tables) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("SET SESSION wait_timeout = 604800");
            long id;
            try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            if (!tables.isEmpty()) {
                s.execute("LOCK TABLES " + tables.stream().map(t -> MySqlDialect.quoteName(t) + " READ")
                        .collect(Collectors.joining(", ")));
            }
            return new MySqlWriteFreeze(session, id, database, tables);
        }
    }

    long connectionId() {
        return connectionId;
    }

    String database() {
        return database;
    }

    List<String> tables() {
        return tables;
    }

    /** True when the lock is still held: not released, and the session is alive (a dead session lost it). */
    synchronized boolean isHeld() {
        if (released) {
            return false;
        }
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try (Statement s = session.createStatement()) {
            s.execute("UNLOCK TABLES");
        } catch (SQLException ignored) {
            // closing the session below releases the locks as well
        } finally {
            try {
                session.close();
            } catch (SQLException ignored) {
                // the server drops the locks of a closed session
            }
        }
    }

    @Override
    public String describe() {
        return "LOCK TABLES ... READ on the " + tables.size() + " tables of " + database + " held by session "
                + connectionId + ": reads continue, writes wait until the switch (then land in the new live) or release";
    }
}
