package dev.promoter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds sql/ trees (and other small file sets) inside a test's temporary folder. */
public final class TreeFiles {
    private final Path root;

    public TreeFiles(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Writes {@code text} to {@code relative} (forward slashes), creating folders; returns the file. */
    public Path write(String relative, String text) {
        Path f = root.resolve(relative);
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Creates an empty folder. */
    public Path dir(String relative) {
        try {
            return Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's own sql/ tree (surefire sets promoter.repo.root; from an IDE, the module folder's parent). */
    public static Path sampleTree() {
        String repo = System.getProperty("promoter.repo.root");
        Path sql = repo == null || repo.isBlank() ? Path.of("..", "sql") : Path.of(repo).resolve("sql");
        if (!Files.isDirectory(sql)) {
            sql = Path.of("..", "sql");
        }
        return sql.toAbsolutePath().normalize();
    }
}
