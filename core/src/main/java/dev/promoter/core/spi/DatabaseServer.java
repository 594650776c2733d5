package dev.promoter.core.spi;

import dev.promoter.core.db.ConnectionSpec;

import java.util.List;

/**
 * The server (or, for embedded H2, the folder) that holds the live database, seen from one live
 * connection spec. Names are plain database names; implementations quote them.
 */
public interface DatabaseServer {
    /** The live database's name: the catalog name, or the H2 file's base name. */
    String liveDatabase();

    /** A stable key for the live database in the ledger (unique on this server). */
    String ledgerKey();

    /** How to open the live database without ever creating it by accident (H2 would create a missing file). */
    default ConnectionSpec live() {
        return database(liveDatabase());
    }

    /** Connection spec for database {@code name} on the same server, same login. */
    ConnectionSpec database(String name);

    boolean exists(String name);

    /** Databases on this server whose names start with {@code prefix}. */
    List<String> list(String prefix);

    /** Creates an empty database; fails naming it when it exists. */
    void create(String name);

    /** Drops a database; refuses the live one. */
    void drop(String name);

    /** Where the ledger lives: its own database beside live (never one that is swapped). */
    ConnectionSpec ledger();

    /**
     * Whether a run may keep its connections to the ledger open from start to end (a small pool) instead of
     * opening one for each write: a server's ledger may (a run writes it some 30 times, and each new session cost
     * 10-15 ms); an embedded file database's may not, since an open connection holds the file and another process,
     * a second run say, could not open the ledger to be told who holds the lock.
     */
    default boolean ledgerMayStayConnected() {
        return true;
    }

    /** Longest database name the server accepts, in the unit of {@link #nameLength}. */
    int maxNameLength();

    /** A name's length as the server limits it: characters by default (PostgreSQL counts bytes). */
    default int nameLength(String name) {
        return name.length();
    }
}
