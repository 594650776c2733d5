package dev.promoter.core.spi;

import dev.promoter.core.PromoterException;

import java.util.Locale;

/** How staging is copied from live. */
public enum CloneStrategy {
    /** Rows streamed from one snapshot while live stays readable (the default). */
    ONLINE,
    /**
     * The server copies live's files (PostgreSQL {@code CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY}):
     * near the physical limit, but connections to live are held off while the files are copied.
     */
    TEMPLATE;

    public static CloneStrategy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PromoterException.badInput("Unknown clone strategy \"" + text + "\": use online or template");
        }
    }

    /** The refusal of a dialect that cannot clone this way. */
    public PromoterException unsupportedBy(DialectName dialect) {
        return PromoterException.badInput("The " + name().toLowerCase(Locale.ROOT) + " clone strategy is not supported for "
                + dialect + "; use --clone-strategy online");
    }
}
