package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The MariaDB/MySQL command-line clients ({@code mariadb-dump} or {@code mysqldump}, {@code mariadb} or
 * {@code mysql}), found on the PATH. The password reaches them through a private {@code --defaults-extra-file}
 * (mode 600, deleted afterwards), never on the command line where {@code ps} would show it.
 */
final class MySqlClientTools {
    private static final String INSTALL = "install the MariaDB or MySQL client tools "
            + "(Debian/Ubuntu: apt-get install mariadb-client; RHEL: dnf install mariadb; macOS: brew install mariadb)";
    private final List<Path> path;

    MySqlClientTools(List<Path> path) {
        this.path = List.copyOf(path);
    }

    static MySqlClientTools fromPath() {
        String p = System.getenv("PATH");
        return new MySqlClientTools(p == null ? List.of() : Stream.of(p.split(File.pathSeparator)).map(Path::of).toList());
    }

    Path dump() {
        return find("mariadb-dump", "mysqldump");
    }

    Path client() {
        return find("mariadb", "mysql");
    }

    private Path find(String... names) {
        for (String n : names) {
            Optional<Path> found = path.stream().map(d -> d.resolve(n)).filter(Files::isExecutable).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw PromoterException.failed("Unable to find " + String.join(" or ", names) + " on the PATH: " + INSTALL, null);
    }

    /**
     * Runs {@code tool} against {@code spec}'s server with {@code args}; stdin from {@code in} (or none),
     * stdout to {@code out}. Fails naming the tool, its exit code and its error output.
     */
    void run(Path tool, ConnectionSpec spec, List<String> args, Path in, Path out, String what) {
        run(tool, spec, args, in, out, null, what);
    }

    /** Reads a tool's standard output as it is written (on the calling thread, while the tool runs). */
    @FunctionalInterface
    interface OutputReader {
        void read(InputStream stdout) throws IOException;
    }

    /** Runs {@code tool} as {@link #run(Path, ConnectionSpec, List, Path, Path, String)} does, its stdout read by {@code reader}. */
    void run(Path tool, ConnectionSpec spec, List<String> args, OutputReader reader, String what) {
        run(tool, spec, args, null, null, reader, what);
    }

    private void run(Path tool, ConnectionSpec spec, List<String> args, Path in, Path out, OutputReader reader, String what) {
        MySqlUrl url = MySqlUrl.parse(spec.url());
        Path options = null;
        try {
            options = Files.createTempFile("promoter-my", ".cnf",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String pw = spec.password().reveal().replace("\\", "\\\\").replace("\"", "\\\"");
            Files.writeString(options, "[client]\nhost=" + url.host() + "\nport=" + url.port() + "\n"
                    + (spec.user() == null ? "" : "user=\"" + spec.user() + "\"\n")
                    + (pw.isEmpty() ? "" : "password=\"" + pw + "\"\n"), StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>();
            cmd.add(tool.toString());
            cmd.add("--defaults-extra-file=" + options);
            cmd.add("--protocol=TCP");
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectInput(in == null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(in.toFile()));
            if (out != null) {
                pb.redirectOutput(out.toFile());
            }
            Path err = Files.createTempFile("promoter-my", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (in == null) {
                p.getOutputStream().close();
            }
            if (reader != null) {
                try (InputStream stdout = p.getInputStream()) {
                    reader.read(stdout);
                } catch (IOException | RuntimeException e) {
                    p.destroy();
                    throw e;
                }
            }
            int rc = p.waitFor();
            String errors = Files.readString(err, StandardCharsets.UTF_8).strip();
            Files.deleteIfExists(err);
            if (rc != 0) {
                throw PromoterException.failed("Unable to " + what + ": " + tool.getFileName() + " exited with " + rc
                        + (errors.isEmpty() ? "" : " (" + errors + ")"), null);
            }
        } catch (IOException e) {
            throw PromoterException.failed("Unable to " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.failed("Interrupted while trying to " + what, e);
        } finally {
            if (options != null) {
                try {
                    Files.deleteIfExists(options);
                } catch (IOException ignored) {
                    // a temp file of mode 600 in the temp folder
                }
            }
        }
    }
}
