package dev.promoter.core.version;

import dev.promoter.core.PromoterException;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A product release such as {@code 1.10.0}, compared numerically part by part ({@code 1.10.0 > 1.9.0}).
 * Missing trailing parts compare as zero, so {@code 1.1} and {@code 1.1.0} are equal; the sql/ tree
 * checker reports such pairs as colliding because they would name the same release twice.
 */
public final class Version implements Comparable<Version> {
    private static final Pattern FORM = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,5}");

    private final String text;
    private final int[] parts;

    private Version(String text, int[] parts) {
        this.text = text;
        this.parts = parts;
    }

    /** Parses {@code 1}, {@code 1.2}, {@code 1.2.3} (up to six numeric parts); anything else is bad input. */
    public static Version parse(String text) {
        if (text == null || !FORM.matcher(text.strip()).matches()) {
            throw PromoterException.badInput("Invalid version \"" + text
                    + "\": expected numbers separated by dots, such as 1.10.0");
        }
        String clean = text.strip();
        int[] parts = Arrays.stream(clean.split("\\.")).mapToInt(Integer::parseInt).toArray();
        return new Version(clean, parts);
    }

    /** True when {@code text} is a version this class can parse. */
    public static boolean isValid(String text) {
        return text != null && FORM.matcher(text.strip()).matches();
    }

    @Override
    public int compareTo(Version other) {
        int n = Math.max(parts.length, other.parts.length);
        for (int i = 0; i < n; i++) {
            int a = i < parts.length ? parts[i] : 0;
            int b = i < other.parts.length ? other.parts[i] : 0;
            if (a != b) {
                return Integer.compare(a, b);
            }
        }
        return 0;
    }

    public boolean isAfter(Version other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Version other) {
        return compareTo(other) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        int end = parts.length;
        while (end > 0 && parts[end - 1] == 0) {
            end--;
        }
        return Arrays.hashCode(Arrays.copyOf(parts, end));
    }

    /** The text as written in the tree (so {@code 1.1} stays {@code 1.1}). */
    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String toString() {
        return text;
    }
}
