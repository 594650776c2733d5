package dev.promoter.core;

/** How a command ended, and the exit code the CLI returns for it (see the design's exit codes). */
public enum Outcome {
    /** Promoted, or nothing to do. */
    OK(0),
    /** Failure; production untouched. */
    FAILED(1),
    /** Bad input: options, files, versions. */
    BAD_INPUT(2),
    /** Refused: rollback, cross-dialect, failed checkpoint, lock held, traffic. */
    REFUSED(3);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
