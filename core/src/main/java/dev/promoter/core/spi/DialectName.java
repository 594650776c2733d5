package dev.promoter.core.spi;

import dev.promoter.core.PromoterException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The dialects Promoter knows, by the folder name they use in the sql/ tree. */
public enum DialectName {
    POSTGRESQL("postgresql"),
    MYSQL("mysql"),
    H2("h2");

    private final String id;

    DialectName(String id) {
        this.id = id;
    }

    /** The folder name in the sql/ tree and the value of {@code --dialect}. */
    public String id() {
        return id;
    }

    public static DialectName parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("mariadb")) {
            return MYSQL;
        }
        for (DialectName d : values()) {
            if (d.id.equals(t)) {
                return d;
            }
        }
        throw PromoterException.badInput("Unknown dialect \"" + text + "\": use one of "
                + Arrays.stream(values()).map(DialectName::id).collect(Collectors.joining(", ")));
    }

    public static boolean isDialectFolder(String name) {
        return Arrays.stream(values()).anyMatch(d -> d.id.equals(name));
    }

    @Override
    public String toString() {
        return id;
    }
}
