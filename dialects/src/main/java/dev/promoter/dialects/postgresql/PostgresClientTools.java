package dev.promoter.dialects.postgresql;

import dev.promoter.core.DaemonThreads;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_dump, pg_restore and psql: found for the server's major version ({@code /usr/lib/postgresql/NN/bin},
 * then the PATH), refused when missing or older than the server (naming the Debian package to install),
 * and run with the login in the libpq environment, never on the command line.
 */
final class PostgresClientTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");
    private static final int STDERR_LIMIT = 4000;

    private final Path versionedRoot;
    private final List<Path> path;

    /** Looks in {@code /usr/lib/postgresql/NN/bin} (Debian, Ubuntu), then on the PATH. */
    PostgresClientTools() {
        this(Path.of("/usr/lib/postgresql"), Arrays.stream(System.getenv().getOrDefault("PATH", "")
                .split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(Path::of).toList());
    }

    PostgresClientTools(Path versionedRoot, List<Path> path) {
        this.versionedRoot = versionedRoot;
        this.path = List.copyOf(path);
    }

    /** The tool's path, checked to be at least {@code serverMajor}. */
    Path find(String tool, int serverMajor) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(versionedRoot.resolve(String.valueOf(serverMajor)).resolve("bin").resolve(tool));
        path.forEach(dir -> candidates.add(dir.resolve(tool)));
        String seen = null;
        for (Path p : candidates) {
            if (!Files.isExecutable(p)) {
                continue;
            }
            int major = majorVersion(p);
            if (major >= serverMajor) {
                return p;
            }
            seen = p + " is version " + major;
        }
        throw PromoterException.failed(tool + " " + serverMajor + " or newer is needed for a PostgreSQL "
                + serverMajor + " server but " + (seen == null ? "none was found on the PATH" : seen)
                + ". Install it: apt-get install postgresql-client-" + serverMajor
                + " (or your system's PostgreSQL " + serverMajor + " client package)", null);
    }

    private static int majorVersion(Path tool) {
        try {
            Process p = new ProcessBuilder(tool.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = VERSION.matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A process for {@code command} connected to {@code db} through the libpq environment. */
    static ProcessBuilder builder(ConnectionSpec db, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(PostgresUrl.parse(db.url()).libpqEnvironment(db));
        return pb;
    }

    /**
     * The most objects (archive entries; a large object counts as one) a pg_restore creates in one transaction.
     * Each object created holds a lock or more until commit, and the server's lock table (max_locks_per_transaction
     * x max_connections, 6400 by default, shared by every session, the clone's own included) runs out well below
     * ten thousand tables or a few tens of thousands of large objects: "out of shared memory".
     */
    static final long OBJECTS_PER_TRANSACTION = 1000;
    private static final Pattern ENTRY = Pattern.compile("(?m)^\\d+; \\d+ \\d+ (BLOB METADATA )?");

    /**
     * Whether a restore of {@code archive} may run as one transaction ({@code --single-transaction}): see
     * {@link Toc#oneTransaction}.
     */
    static boolean oneTransaction(Path pgRestore, Path archive) {
        return toc(pgRestore, archive).oneTransaction();
    }

    /**
     * {@code synchronous_commit = off} for the tool's sessions (PGOPTIONS): commits do not wait for the disk. Only
     * for restores into a database nothing uses yet (staging, a restore target): a server crash fails the run or
     * the restore, and a later synchronous commit (the switch's) flushes every earlier one.
     */
    static void asynchronousCommits(ProcessBuilder pb) {
        String options = pb.environment().getOrDefault("PGOPTIONS", "");
        if (!options.contains("synchronous_commit")) {
            pb.environment().put("PGOPTIONS", (options.isBlank() ? "" : options + " ") + "-c synchronous_commit=off");
        }
    }

    /** An archive's table of contents as {@code pg_restore --list} prints it (read once, asked several things). */
    record Toc(String text) {
        /**
         * The objects the archive creates: its entries, all sections (from PostgreSQL 17 on, an entry of large
         * objects' metadata holds up to 1000 of them).
         */
        long objects() {
            long n = 0;
            Matcher m = ENTRY.matcher(text);
            while (m.find()) {
                n += m.group(1) == null ? 1 : 1000;
            }
            return n;
        }

        /**
         * Whether a restore may run as one transaction: not when the archive holds more than
         * {@link #OBJECTS_PER_TRANSACTION} objects. Then each entry commits on its own, with
         * {@link #asynchronousCommits} so that those commits do not each wait for the disk.
         */
        boolean oneTransaction() {
            return objects() <= OBJECTS_PER_TRANSACTION;
        }

        /** The tables whose rows the archive holds (its TABLE DATA entries). */
        int tablesWithData() {
            return (int) text.lines().filter(l -> !l.startsWith(";") && l.contains(" TABLE DATA ")).count();
        }
    }

    /** {@code pg_restore --list} of {@code archive}: its table of contents. */
    static Toc toc(Path pgRestore, Path archive) {
        ProcessBuilder pb = new ProcessBuilder(pgRestore.toString(), "--list", archive.toString());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> err = stderr(p);
            String toc = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw PromoterException.failed("Unable to read the table of contents of " + archive + ": "
                        + pgRestore + " --list exited with " + p.exitValue() + ": " + err.join().strip(), null);
            }
            return new Toc(toc);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read the table of contents of " + archive + ": cannot start "
                    + pgRestore + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.failed("Interrupted while reading the table of contents of " + archive, e);
        }
    }

    /**
     * Restores {@code section} ({@code pre-data}: in one transaction when {@link #oneTransaction} allows;
     * {@code post-data}: on {@code jobs} sessions) of {@code archive} into database {@code db}.
     */
    static void restoreSection(Path pgRestore, ConnectionSpec target, String db, Path archive, String section, int jobs,
                               String what) {
        restoreSection(pgRestore, target, db, archive, section, jobs, null, what);
    }

    /** As above, only the entries of {@code list} ({@code pg_restore --use-list}; null: all of them). */
    static void restoreSection(Path pgRestore, ConnectionSpec target, String db, Path archive, String section, int jobs,
                               Path list, String what) {
        List<String> command = new ArrayList<>(List.of(pgRestore.toString(), "--section=" + section, "--exit-on-error"));
        if (list != null) {
            command.add("--use-list=" + list);
        }
        // post-data: an index per transaction, thousands of which made thousands of disk flushes
        boolean oneTransaction = !section.equals("post-data") && oneTransaction(pgRestore, archive);
        if (section.equals("post-data")) {
            command.add("--jobs=" + jobs);
        } else if (oneTransaction) {
            command.add("--single-transaction");
        }
        command.addAll(List.of("--dbname=" + conninfoDbname(db), archive.toString()));
        ProcessBuilder pb = builder(target, command);
        if (!oneTransaction) {
            asynchronousCommits(pb);
        }
        run(what, pb);
    }

    /** Runs a command to its end; fails with its error output when it exits non-zero. */
    static void run(String what, ProcessBuilder pb) {
        run(what, pb, null);
    }

    /**
     * As {@link #run(String, ProcessBuilder)} for a tool started with {@code --verbose}: each line of its error
     * output goes to {@code verbose} as it comes (progress), and the error text of a failure keeps only the lines
     * that are not the tool's progress ({@link #isProgress}).
     */
    static void run(String what, ProcessBuilder pb, java.util.function.Consumer<String> verbose) {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = null;
        try {
            p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> err = verbose == null ? stderr(p) : stderrLines(p, verbose);
            int code = p.waitFor();
            if (code != 0) {
                throw PromoterException.failed("Unable to " + what + ": " + pb.command().get(0) + " exited with "
                        + code + ": " + err.join().strip(), null);
            }
        } catch (IOException e) {
            throw PromoterException.failed("Unable to " + what + ": cannot start " + pb.command().get(0) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy(p);
            throw PromoterException.failed("Interrupted while trying to " + what, e);
        }
    }

    /** Runs {@code producer | consumer} (for example pg_dump into psql) with no temporary file. */
    static void pipe(String what, ProcessBuilder producer, ProcessBuilder consumer) {
        consumer.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process from = null;
        Process to = null;
        try {
            from = producer.start();
            to = consumer.start();
            from.getOutputStream().close();
            CompletableFuture<String> fromErr = stderr(from);
            CompletableFuture<String> toErr = stderr(to);
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException brokenPipe) {
                // the consumer stopped reading: its exit code and error output say why
            }
            int fromCode = from.waitFor();
            int toCode = to.waitFor();
            if (fromCode != 0 || toCode != 0) {
                throw PromoterException.failed("Unable to " + what + ": " + name(producer) + " exited with " + fromCode
                        + (fromErr.join().isBlank() ? "" : " (" + fromErr.join().strip() + ")") + ", "
                        + name(consumer) + " exited with " + toCode
                        + (toErr.join().isBlank() ? "" : " (" + toErr.join().strip() + ")"), null);
            }
        } catch (IOException e) {
            throw PromoterException.failed("Unable to " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.failed("Interrupted while trying to " + what, e);
        } finally {
            destroy(from);
            destroy(to);
        }
    }

    private static String name(ProcessBuilder pb) {
        return Path.of(pb.command().get(0)).getFileName().toString();
    }

    private static void destroy(Process p) {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private static CompletableFuture<String> stderr(Process p) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getErrorStream()) {
                String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return s.length() > STDERR_LIMIT ? s.substring(0, STDERR_LIMIT) + " ..." : s;
            } catch (IOException e) {
                return "";
            }
        }, DaemonThreads.named("promoter-stderr-" + p.pid()));
    }

    /** The error output read line by line: every line to {@code each}, the ones that are not progress kept. */
    private static CompletableFuture<String> stderrLines(Process p, java.util.function.Consumer<String> each) {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder kept = new StringBuilder();
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    each.accept(line);
                    if (!isProgress(line) && kept.length() < STDERR_LIMIT) {
                        kept.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended; its exit code tells
            }
            return kept.toString();
        }, DaemonThreads.named("promoter-stderr-" + p.pid()));
    }

    /**
     * Relays a tool's {@code --verbose} lines that start a table's data ({@code marker}, such as {@code dumping
     * contents of table}) as "{@code verb} table N of TOTAL: name": the first one, then at most one every
     * {@code every}, so that thousands of small tables do not flood the console. Thread-safe.
     */
    static java.util.function.Consumer<String> tableProgress(String marker, String verb, int total,
                                                             dev.promoter.core.spi.ProgressListener progress,
                                                             java.time.Duration every) {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
        return line -> {
            int at = line.indexOf(marker);
            if (at < 0) {
                return;
            }
            int n = seen.incrementAndGet();
            long now = System.nanoTime();
            long before = last.get();
            if ((before == Long.MIN_VALUE || now - before >= every.toNanos()) && last.compareAndSet(before, now)) {
                progress.message(verb + " table " + n + " of " + total + ": " + line.substring(at + marker.length()).strip());
            }
        };
    }

    /**
     * A line of pg_dump's or pg_restore's {@code --verbose} output (say {@code pg_dump: dumping contents of table
     * ...}), as opposed to an error, warning, detail or hint.
     */
    static boolean isProgress(String line) {
        int colon = line.indexOf(": ");
        if (!line.startsWith("pg_dump: ") && !line.startsWith("pg_restore: ") || colon < 0) {
            return false;
        }
        String rest = line.substring(colon + 2);
        return !(rest.startsWith("error:") || rest.startsWith("warning:") || rest.startsWith("detail:")
                || rest.startsWith("hint:") || rest.startsWith("while ") || rest.startsWith("from TOC entry")
                || rest.startsWith("FATAL") || rest.startsWith("ERROR"));
    }

    /** A libpq conninfo naming database {@code name} (any characters), for tools that need {@code --dbname}. */
    static String conninfoDbname(String name) {
        return "dbname='" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
