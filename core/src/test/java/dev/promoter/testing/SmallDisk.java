package dev.promoter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system of the test's own: a tmpfs mounted on a folder (the tests run as root, as the PostgreSQL
 * tests' private servers do), resizable while mounted, unmounted by {@link #close}. A mount that fails fails the
 * test: a skipped disk test would hide the check it is there for.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    public static SmallDisk mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Sets the file system's size (rounded up to whole pages by the kernel). */
    public void resize(long bytes) throws IOException, InterruptedException {
        run("mount", "-o", "remount,size=" + bytes, dir.toString());
    }

    public long used() throws IOException {
        var store = Files.getFileStore(dir);
        return store.getTotalSpace() - store.getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", dir.toString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (the disk tests need root to mount a tmpfs): " + out);
        }
    }
}
