package dev.promoter.cli;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium, to see a report as a browser parses it. Missing: under CI (CI=true) the test fails,
 * elsewhere it is skipped with the reason printed. Debian: {@code apt-get install -y chromium}.
 */
final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    /** The browser, or the test fails (CI) or is skipped (locally). */
    static Chromium require() {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String why = "no chromium on PATH (looked for " + NAMES + "); install it with `apt-get install -y chromium`";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true and " + why);
            }
            System.out.println("SKIPPED browser check: " + why);
            Assumptions.abort(why);
        }
        return new Chromium(found.get());
    }

    private static Optional<Path> find() {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isBlank())
                .flatMap(d -> NAMES.stream().map(n -> Path.of(d, n))).filter(Files::isExecutable).findFirst();
    }

    /** The DOM after Chromium has loaded {@code page}, with a fresh profile in {@code profile}. */
    String dumpDom(Path page, Path profile) throws IOException, InterruptedException {
        Path out = Files.createTempFile(profile.getParent(), "dom", ".html");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".log");
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--dump-dom", page.toAbsolutePath().toUri().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s; its log: " + Files.readString(err));
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || dom.isBlank()) {
            throw new AssertionError("chromium exited " + p.exitValue() + " with no DOM; its log: " + Files.readString(err));
        }
        return dom;
    }
}
