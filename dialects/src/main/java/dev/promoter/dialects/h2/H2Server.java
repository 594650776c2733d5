package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Stream;

/**
 * For embedded H2 the "server" is the folder that holds live's {@code <name>.mv.db}. Sibling databases
 * (staging, archive, scratch) are files in the same folder opened with live's login and URL options; they
 * are always opened with {@code IFEXISTS=TRUE} so that a typo never creates an empty database. The ledger
 * is its own file {@code promoter_ledger.mv.db} there, so a switch never swaps it.
 */
final class H2Server implements DatabaseServer {
    static final String LEDGER_NAME = "promoter_ledger";
    private static final int MAX_NAME_LENGTH = 120;

    private final ConnectionSpec login;
    private final H2Url live;

    H2Server(ConnectionSpec live, H2Url liveUrl) {
        this.login = live;
        this.live = liveUrl;
    }

    @Override
    public String liveDatabase() {
        return live.name();
    }

    @Override
    public String ledgerKey() {
        return live.base().toString();
    }

    @Override
    public ConnectionSpec database(String name) {
        return login.withUrl(file(name).url(true));
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(file(name).dataFile());
    }

    @Override
    public List<String> list(String prefix) {
        try (Stream<Path> files = Files.list(live.folder())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(H2Url.DATA_SUFFIX))
                    .map(f -> f.substring(0, f.length() - H2Url.DATA_SUFFIX.length()))
                    .filter(n -> n.startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Unable to list H2 databases in " + live.folder() + ": " + e, e);
        }
    }

    @Override
    public void create(String name) {
        H2Url db = file(name);
        if (Files.exists(db.dataFile())) {
            throw PromoterException.refused("Unable to create H2 database \"" + name + "\": " + db.dataFile()
                    + " already exists; drop it or choose another name");
        }
        try (Connection c = Connections.open(login.withUrl(db.url(false)))) {
            c.createStatement().execute("SELECT 1");
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to create H2 database \"" + name + "\" at " + db.dataFile()
                    + ": " + Connections.describe(e) + ". Check that the folder is writable", e);
        }
    }

    @Override
    public void drop(String name) {
        H2Url db = file(name);
        if (name.equals(live.name())) {
            throw PromoterException.refused("Refusing to drop H2 database \"" + name + "\": it is the live database "
                    + db.dataFile());
        }
        if (name.equals(LEDGER_NAME)) {
            throw PromoterException.refused("Refusing to drop \"" + name + "\": it is Promoter's ledger ("
                    + db.dataFile() + ")");
        }
        H2Files.shutdown(login, db);
        H2Files.delete(db);
    }

    /**
     * The ledger's file beside live, written at each commit ({@code WRITE_DELAY=0}, a setting the ledger's own file
     * keeps): H2 otherwise writes commits from a background thread, and on a full disk a ledger write would succeed
     * and be gone when the file is next opened (seen for staging: {@link H2BackupTool#sync}). Now the write that
     * cannot reach the disk fails.
     */
    @Override
    public ConnectionSpec ledger() {
        String url = live.sibling(LEDGER_NAME).url(false);
        return login.withUrl(url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=") ? url : url + ";WRITE_DELAY=0");
    }

    /** The ledger is a file: an open connection would keep other processes from it. */
    @Override
    public boolean ledgerMayStayConnected() {
        return false;
    }

    @Override
    public int maxNameLength() {
        return MAX_NAME_LENGTH;
    }

    /** The file database {@code name} beside live; refuses names that would leave the folder. */
    H2Url file(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH || name.startsWith(".")
                || name.contains("/") || name.contains("\\") || name.contains(";") || name.contains(":")) {
            throw PromoterException.badInput("Invalid H2 database name \"" + name + "\": use 1 to " + MAX_NAME_LENGTH
                    + " characters without / \\ ; : and not starting with a dot");
        }
        return live.sibling(name);
    }
}
