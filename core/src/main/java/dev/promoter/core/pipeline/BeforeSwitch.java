package dev.promoter.core.pipeline;

/**
 * Asked once more just before the atomic switch, after staging is built and verified (and after any
 * {@code --postpone-file} wait). It may wait, and it vetoes by throwing a
 * {@link dev.promoter.core.PromoterException} (a refusal leaves live unchanged and lifts any write freeze).
 * The scheduler uses it to re-check its window and live's traffic and to stop cleanly on shutdown.
 */
@FunctionalInterface
public interface BeforeSwitch {
    BeforeSwitch NONE = liveDatabase -> {
    };

    void check(String liveDatabase);
}
