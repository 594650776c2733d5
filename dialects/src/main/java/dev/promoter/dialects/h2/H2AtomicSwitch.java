package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Swaps H2 files so that at every moment {@code <live>.mv.db} exists and is either the old or the new database.
 *
 * <ol>
 *   <li>Staging is shut down, so its file is complete and closed.</li>
 *   <li>Live is opened and put in {@code SET EXCLUSIVE 2}: new connections are refused and every other session
 *       is closed (their uncommitted work rolls back; committed work is in the file). Mode 1 would leave
 *       statements already running free to commit after the proof below, so it is not enough.</li>
 *   <li>Every table's checksum is recomputed on live and compared with the snapshot. Any difference refuses
 *       the switch, lifts exclusive mode and leaves live as it was.</li>
 *   <li>The archive name is created as a hard link to live's file (same inode), then staging's file is renamed
 *       over live's with {@code rename(2)}, which replaces it atomically.</li>
 *   <li>Live's session is shut down: H2 writes its last pages through its open handle, i.e. into the archive.</li>
 * </ol>
 * Where hard links are not supported, live is shut down first and copied to the archive before the rename.
 */
final class H2AtomicSwitch implements AtomicSwitch {
    private final H2Introspector introspector;

    H2AtomicSwitch(H2Introspector introspector) {
        this.introspector = introspector;
    }

    @Override
    public SwitchResult switchOver(SwitchRequest request) {
        DatabaseServer server = request.server();
        ConnectionSpec liveSpec = server.database(server.liveDatabase());
        H2Url live = H2Url.parse(liveSpec.url());
        H2Url staging = H2Url.parse(server.database(request.staging()).url());
        H2Url archive = H2Url.parse(server.database(request.archive()).url());
        if (!Files.isRegularFile(staging.dataFile())) {
            throw PromoterException.refused("Cannot switch: staging " + staging.dataFile() + " does not exist");
        }
        if (Files.exists(archive.dataFile())) {
            throw PromoterException.refused("Cannot switch: archive " + archive.dataFile()
                    + " already exists; choose another archive name");
        }
        H2Files.shutdown(server.database(request.staging()), staging);

        Connection c;
        try {
            c = Connections.open(liveSpec);
        } catch (SQLException e) {
            throw Connections.unableToConnect(liveSpec, e);
        }
        long start = System.nanoTime();
        boolean closed = false;
        try {
            exec(c, "SET EXCLUSIVE 2", live);
            prove(c, request, live);
            String how;
            if (link(archive, live)) {
                move(staging, live, archive);
                closed = true;
                shutdownQuietly(c);
                how = "hard link " + archive.dataFile().getFileName() + " to the live file, then rename(2) of "
                        + staging.dataFile().getFileName() + " over it";
            } else {
                exec(c, "SHUTDOWN", live);
                closed = true;
                copy(live, archive);
                move(staging, live, archive);
                how = "copy of the closed live file to " + archive.dataFile().getFileName()
                        + " (no hard links on this file system), then rename(2) of " + staging.dataFile().getFileName()
                        + " over it";
            }
            long window = (System.nanoTime() - start) / 1_000_000;
            tidy(live, staging, archive);
            return new SwitchResult(request.archive(), window, "H2 files swapped in " + live.folder()
                    + ": other sessions closed and new ones refused by SET EXCLUSIVE 2; "
                    + request.snapshot().tables().size() + " tables proven unchanged since the snapshot; " + how);
        } finally {
            if (!closed) {
                try {
                    if (!c.isClosed()) {
                        c.createStatement().execute("SET EXCLUSIVE 0");
                    }
                } catch (SQLException ignored) {
                    // the connection is being closed anyway, which also lifts exclusive mode
                }
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // closed by SHUTDOWN
            }
        }
    }

    /** Refuses, naming the tables, when live differs from the snapshot. */
    private void prove(Connection c, SwitchRequest request, H2Url live) {
        Map<TableRef, TableChecksum> expected = request.snapshot().tables();
        List<String> differences = new ArrayList<>();
        Handle h = Jdbi.open(c);
        List<TableRef> now = introspector.tables(h);
        TreeSet<TableRef> all = new TreeSet<>(expected.keySet());
        all.addAll(now);
        for (TableRef t : all) {
            TableChecksum then = expected.get(t);
            TableChecksum actual = now.contains(t) ? introspector.checksum(h, t) : null;
            if (then == null || actual == null || !then.equals(actual)) {
                differences.add(t.display() + " (snapshot " + (then == null ? "absent" : then.text()) + ", live now "
                        + (actual == null ? "absent" : actual.text()) + ")");
            }
        }
        if (!differences.isEmpty()) {
            throw PromoterException.refused("Live H2 database " + live.dataFile() + " changed since the snapshot of "
                    + request.snapshot().takenAt() + ": " + String.join(", ", differences) + ". Nothing was switched;"
                    + " run promote again to clone the current content (stop writers to avoid this)");
        }
    }

    private static boolean link(H2Url archive, H2Url live) {
        try {
            Files.createLink(archive.dataFile(), live.dataFile());
            return true;
        } catch (UnsupportedOperationException | FileSystemException e) {
            return false;
        } catch (IOException e) {
            throw PromoterException.failed("Unable to create archive " + archive.dataFile() + " as a link to "
                    + live.dataFile() + ": " + e + ". Nothing was switched", e);
        }
    }

    private static void copy(H2Url live, H2Url archive) {
        try {
            Files.copy(live.dataFile(), archive.dataFile(), StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to copy live " + live.dataFile() + " to archive "
                    + archive.dataFile() + ": " + e + ". Nothing was switched", e);
        }
    }

    private static void move(H2Url staging, H2Url live, H2Url archive) {
        try {
            Files.move(staging.dataFile(), live.dataFile(), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(archive.dataFile());
            } catch (IOException ignored) {
                // the archive link is only a second name for live's file
            }
            throw PromoterException.failed("Unable to rename " + staging.dataFile() + " over " + live.dataFile()
                    + ": " + e + ". Nothing was switched; live is unchanged", e);
        }
    }

    /** Old live's trace goes with the archive; staging's side files are removed. */
    private static void tidy(H2Url live, H2Url staging, H2Url archive) {
        try {
            if (Files.exists(live.file(".trace.db"))) {
                Files.move(live.file(".trace.db"), archive.file(".trace.db"), StandardCopyOption.REPLACE_EXISTING);
            }
            for (String suffix : H2Files.SIDE_SUFFIXES) {
                Files.deleteIfExists(staging.file(suffix));
            }
        } catch (IOException ignored) {
            // side files are logs and stale locks: leaving one behind does not affect either database
        }
    }

    /** After the rename live's old file lives on as the archive; closing the session finishes writing it. */
    private static void shutdownQuietly(Connection c) {
        try (var s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException ignored) {
            // closing the last connection below closes the database too
        }
    }

    private static void exec(Connection c, String sql, H2Url live) {
        try (var s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to run " + sql + " on live H2 database " + live.dataFile() + ": "
                    + Connections.describe(e) + ". Nothing was switched", e);
        }
    }
}
