package dev.promoter.dialects.mysql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.StagingRoom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a clone of live writes on the server's disk and about how much: staging's tables take about live's
 * tables' data and index size in the data directory ({@code @@datadir}), and with the binary log on, the rows the
 * clone loads are logged too ({@code @@log_bin_basename}'s folder). Checked only where this machine can see those
 * folders: a server reached over a socket, loopback or an address of this machine, whose data directory exists here.
 */
final class MySqlStagingRoom {
    private MySqlStagingRoom() {
    }

    static StagingRoom of(ConnectionSpec live) {
        MySqlUrl url = MySqlUrl.parse(live.url());
        try (Connection c = Connections.open(live);
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(data_length + index_length), 0), @@datadir, "
                     + "@@log_bin, @@log_bin_basename, coalesce(sum(data_length), 0) FROM information_schema.tables WHERE table_schema = ? "
                     + "AND table_type = 'BASE TABLE'")) {
            ps.setString(1, url.database());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long bytes = rs.getLong(1);
                long backup = rs.getLong(5); // what the clone's backup estimates too (MySqlCopyBackup)
                String size = "about " + StagingRoom.mb(bytes) + " MB (live's tables) free on the server's disk for staging";
                String host = firstHost(url.hosts());
                if (!StagingRoom.isThisMachine(host)) {
                    return StagingRoom.unchecked("the server (" + host + ") is not on this machine; make sure it has " + size)
                            .withBackup(backup);
                }
                Path data = Path.of(rs.getString(2));
                if (!Files.isDirectory(data)) {
                    return StagingRoom.unchecked("the server's data directory " + data + " is not on this machine (a "
                            + "container?); make sure the server has " + size).withBackup(backup);
                }
                List<StagingRoom.Need> needs = new ArrayList<>();
                needs.add(new StagingRoom.Need(data, bytes, "the copy of live's tables"));
                String binlog = rs.getString(4);
                if (rs.getBoolean(3) && binlog != null) {
                    Path base = Path.of(binlog);
                    needs.add(new StagingRoom.Need(base.isAbsolute() ? base.getParent() : data, bytes,
                            "the binary log of the rows loaded"));
                }
                return StagingRoom.of(needs).withBackup(backup);
            }
        } catch (SQLException e) {
            return StagingRoom.unchecked("the size of live could not be read (" + Connections.describe(e) + ")");
        }
    }

    /** The first host of a URL's host list ({@code h1:3306,h2}, {@code [::1]:3306}), without its port. */
    static String firstHost(String hosts) {
        String first = hosts == null ? "" : hosts.split(",")[0].strip();
        if (first.startsWith("[")) {
            int end = first.indexOf(']');
            return end < 0 ? first.substring(1) : first.substring(1, end);
        }
        int colon = first.indexOf(':');
        return colon < 0 ? first : first.substring(0, colon);
    }
}
