package dev.promoter.core.spi;

/**
 * Live's write freeze, held from the snapshot to the switch. {@link #release()} lifts it when a run
 * stops before the switch; it is idempotent.
 */
public interface WriteFreeze extends AutoCloseable {
    WriteFreeze NONE = new WriteFreeze() {
        @Override
        public void release() {
        }

        @Override
        public String describe() {
            return "none";
        }
    };

    void release();

    /** How the freeze is enforced and what applications see, for the report. */
    String describe();

    @Override
    default void close() {
        release();
    }
}
