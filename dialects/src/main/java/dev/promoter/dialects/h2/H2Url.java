package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An embedded H2 file database as its JDBC URL names it: the folder, the base name (the file is
 * {@code <folder>/<name>.mv.db}) and the URL options ({@code ;MODE=..}) other than {@code IFEXISTS}, which
 * Promoter sets itself. Remote ({@code tcp:}, {@code ssl:}) and in-memory URLs are refused: their files
 * cannot be swapped from here.
 */
record H2Url(Path folder, String name, List<String> options) {
    static final String PREFIX = "jdbc:h2:";
    static final String DATA_SUFFIX = ".mv.db";
    /** The option every connection of the tool carries unless the URL sets its own ({@link #url}). */
    static final String NO_COMPACTION_ON_CLOSE = "MAX_COMPACT_TIME=0";

    H2Url {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(name, "name");
        options = List.copyOf(options);
    }

    static H2Url parse(String url) {
        if (url == null || !url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw PromoterException.badInput("Not an H2 URL: " + url + ": use jdbc:h2:file:/abs/dir/name");
        }
        String rest = url.substring(PREFIX.length());
        int semi = rest.indexOf(';');
        String location = semi < 0 ? rest : rest.substring(0, semi);
        List<String> options = new ArrayList<>();
        if (semi >= 0) {
            for (String o : rest.substring(semi + 1).split(";")) {
                String key = o.split("=", 2)[0].strip().toUpperCase(Locale.ROOT);
                if (!o.isBlank() && !key.equals("IFEXISTS")) {
                    options.add(o.strip());
                }
            }
        }
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mem:")) {
            throw PromoterException.badInput("The H2 URL " + redactOptions(url) + " names an in-memory database: an"
                    + " in-memory database cannot be promoted (it has no files to clone or swap); use a file"
                    + " database such as jdbc:h2:file:/abs/dir/name");
        }
        if (lower.startsWith("tcp:") || lower.startsWith("ssl:")) {
            throw PromoterException.badInput("The H2 URL " + redactOptions(url) + " names a database behind an H2"
                    + " TCP server: Promoter swaps H2 files and needs them local; run Promoter on that host with"
                    + " jdbc:h2:file:/abs/dir/name while the server is stopped");
        }
        if (lower.startsWith("file:")) {
            location = location.substring("file:".length());
        } else if (location.matches("(?i)[a-z]{2,}:.*")) {
            throw PromoterException.badInput("The H2 URL " + redactOptions(url) + " uses a file system prefix"
                    + " Promoter does not support; use jdbc:h2:file:/abs/dir/name");
        }
        if (location.startsWith("~")) {
            location = System.getProperty("user.home") + location.substring(1);
        }
        Path base = Paths.get(location).toAbsolutePath().normalize();
        if (base.getFileName() == null || base.getParent() == null) {
            throw PromoterException.badInput("The H2 URL " + redactOptions(url) + " names no database file:"
                    + " use jdbc:h2:file:/abs/dir/name");
        }
        return new H2Url(base.getParent(), base.getFileName().toString(), options);
    }

    /** The database {@code otherName} in the same folder, with the same options. */
    H2Url sibling(String otherName) {
        return new H2Url(folder, otherName, options);
    }

    /** The base path H2 uses (without {@code .mv.db}). */
    Path base() {
        return folder.resolve(name);
    }

    Path dataFile() {
        return file(DATA_SUFFIX);
    }

    /** {@code <name><suffix>} in the folder, such as {@code .trace.db}. */
    Path file(String suffix) {
        return folder.resolve(name + suffix);
    }

    /**
     * The URL; with {@code ifExists} the driver refuses to create a missing database instead of creating it.
     * <p>
     * {@code MAX_COMPACT_TIME=0} (unless the URL sets it): no compaction when the last session closes. With H2
     * 2.3.232's default (200 ms of compaction on close), closing a file database and opening it again in the same
     * JVM, as a run does many times, lost committed work: a reopened database lacked an index created and committed
     * before the close, and its file was reported corrupted ("Double mark") after a few hundred such cycles
     * ({@code H2UrlTest}). A run's sessions open and close live, staging and the ledger over and over; without
     * compaction on close the same cycles lost nothing. The file is not compacted by us; H2's background writer
     * still reuses its free space.
     */
    String url(boolean ifExists) {
        StringBuilder b = new StringBuilder(PREFIX).append("file:").append(base());
        options.forEach(o -> b.append(';').append(o));
        if (!H2SessionDefaults.setsCompaction(b)) {
            b.append(';').append(NO_COMPACTION_ON_CLOSE);
        }
        if (ifExists) {
            b.append(";IFEXISTS=TRUE");
        }
        return b.toString();
    }

    private static String redactOptions(String url) {
        return dev.promoter.core.db.ConnectionSpec.redact(url);
    }
}
