package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneStrategy;
import dev.promoter.core.spi.StagingRoom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a clone of live writes on the server's disk and about how much: every tablespace live's relations are in
 * gets about their size again (the database's default one is {@code base/} of the data directory), and the online
 * clone's COPY also goes through the write-ahead log ({@code pg_wal/}), which holds up to {@code max_wal_size} of
 * it between checkpoints; a file copy logs next to nothing. Checked only where this machine can see those folders:
 * a server reached over a Unix socket, loopback or an address of this machine, whose data directory the login may
 * read ({@code pg_read_all_settings}) and which exists here (not inside a container).
 */
final class PostgresStagingRoom {
    private PostgresStagingRoom() {
    }

    /** Staging's room, with the run's backup estimated as the clone's own check does ({@link PostgresCopyBackup#backupBytes}). */
    static StagingRoom of(ConnectionSpec live, CloneStrategy strategy) {
        try (Connection c = Connections.open(live); Statement st = c.createStatement()) {
            long backup = PostgresCopyBackup.backupBytes(c);
            return of(st, strategy).withBackup(backup);
        } catch (SQLException e) {
            return StagingRoom.unchecked("the size of live could not be read (" + Connections.describe(e) + ")");
        }
    }

    private static StagingRoom of(Statement st, CloneStrategy strategy) throws SQLException {
        long total;
        String address;
        try (ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database()), host(inet_server_addr())")) {
            rs.next();
            total = rs.getLong(1);
            address = rs.getString(2);
        }
        String size = "about " + StagingRoom.mb(total) + " MB (live's size) free on the server's disk for staging";
        if (!StagingRoom.isThisMachine(address)) {
            return StagingRoom.unchecked("the server (" + address + ") is not on this machine; make sure it has " + size);
        }
        String dataDir;
        try (ResultSet rs = st.executeQuery("SELECT current_setting('data_directory')")) {
            rs.next();
            dataDir = rs.getString(1);
        } catch (SQLException e) {
            return StagingRoom.unchecked("the login may not read the server's data_directory (GRANT pg_read_all_settings"
                    + " TO the login lets it); make sure the server has " + size);
        }
        Path data = Path.of(dataDir);
        if (!Files.isDirectory(data)) {
            return StagingRoom.unchecked("the server's data directory " + data + " is not on this machine (a container?);"
                    + " make sure the server has " + size);
        }
        List<StagingRoom.Need> needs = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT t.spcname, pg_tablespace_location(t.oid), sum(pg_relation_size(c.oid)) "
                + "FROM pg_class c "
                + "JOIN pg_tablespace t ON t.oid = coalesce(nullif(c.reltablespace, 0), "
                + "(SELECT dattablespace FROM pg_database WHERE datname = current_database())) "
                + "WHERE t.spcname <> 'pg_global' GROUP BY t.oid, t.spcname ORDER BY t.spcname")) {
            while (rs.next()) {
                String location = rs.getString(2);
                Path folder = location == null || location.isEmpty() ? data.resolve("base") : Path.of(location);
                needs.add(new StagingRoom.Need(folder, rs.getLong(3), "the copy of live's relations in tablespace "
                        + PostgresDialect.quoteIdentifier(rs.getString(1))));
            }
        }
        if (strategy == CloneStrategy.ONLINE) {
            try (ResultSet rs = st.executeQuery("SELECT pg_size_bytes(current_setting('max_wal_size'))")) {
                rs.next();
                needs.add(new StagingRoom.Need(data.resolve("pg_wal"), Math.min(total, rs.getLong(1)),
                        "the write-ahead log of the copy, up to max_wal_size"));
            }
        }
        return StagingRoom.of(needs);
    }
}
