package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A live H2 database of the sample product in a temp folder, with a private copy of the SQL tree. */
final class H2Live {
    final Path dir;
    final Path sql;
    final String url;
    final ConnectionSpec spec;
    final Dialect dialect = Dialects.load().get(DialectName.H2);

    H2Live(Path dir) {
        this.dir = dir;
        this.sql = dir.resolve("sql");
        this.url = "jdbc:h2:file:" + dir.resolve("storage");
        this.spec = new ConnectionSpec(url, "sa", Secret.none());
        copyTree(repoSql(), sql);
    }

    static Path repoSql() {
        String root = System.getProperty("promoter.repo.root");
        Path p = root == null ? Path.of("..").resolve("sql") : Path.of(root).resolve("sql");
        return p.toAbsolutePath().normalize();
    }

    /** Installs the product at {@code version} through the CLI and loads sample rows when at 1.0.0. */
    H2Live installAt(String version) {
        CliRun r = CliRun.run("install", "--to", version, "--url", url, "--user", "sa", "--sql", sql.toString());
        if (r.exit() != 0) {
            throw new AssertionError("install failed: " + r.all());
        }
        if (version.equals("1.0.0")) {
            new SampleData(dialect, 1).populate(dialect.server(spec).live());
        }
        return this;
    }

    String[] runArgs(String... extra) {
        String[] base = {"--url", url, "--user", "sa", "--sql", sql.toString(), "--report-dir",
                dir.resolve("reports").toString(), "--backup-dir", dir.resolve("backups").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(extra, 0, all, 0, extra.length);
        System.arraycopy(base, 0, all, extra.length, base.length);
        return all;
    }

    /** Every table's checksum in live, read through the dialect. */
    Map<String, TableChecksum> checksums() {
        ConnectionSpec live = dialect.server(spec).live();
        return Connections.jdbi(live).withHandle(h -> {
            Map<String, TableChecksum> m = new TreeMap<>();
            for (TableRef t : dialect.introspector().tables(h)) {
                m.put(t.name().toLowerCase(java.util.Locale.ROOT), dialect.introspector().checksum(h, t));
            }
            return m;
        });
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
