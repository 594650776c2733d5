package dev.promoter.core.pipeline;

import java.util.Locale;

/** The stages of a run, in order. */
public enum Stage {
    PREFLIGHT, BACKUP, CLONE, MIGRATE, STAGE, VERIFY, PROMOTE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
