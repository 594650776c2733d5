package dev.promoter.core.spi;

/** Progress of long work (copy, restore) for the terminal and the service. Calls come from any thread. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    /** A table is about to be copied; {@code estimatedRows} may be -1 when unknown. */
    default void tableStarted(TableRef table, long estimatedRows) {
    }

    default void rowsCopied(TableRef table, long rows, long bytes) {
    }

    default void tableFinished(TableRef table, long rows, long bytes) {
    }

    default void message(String text) {
    }
}
