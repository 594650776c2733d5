package dev.promoter.core.tree;

import dev.promoter.core.PromoterException;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/** A product's versions, ordered as versions (never as text). */
public record ProductTree(String name, Path dir, NavigableMap<Version, VersionDir> versions) {
    public ProductTree {
        versions = new TreeMap<>(versions);
    }

    public Version oldest() {
        requireVersions();
        return versions.firstKey();
    }

    public Version newest() {
        requireVersions();
        return versions.lastKey();
    }

    public VersionDir version(Version v) {
        VersionDir d = versions.get(v);
        if (d == null) {
            throw PromoterException.badInput("Version " + v + " is not in " + dir + " (versions: " + versions.keySet()
                    + "); pick one of those or add the folder " + dir.resolve(v.toString()));
        }
        return d;
    }

    /** Versions V with from < V <= to, in order ({@code from} null means from nothing). */
    public List<VersionDir> between(Version from, Version to) {
        return versions.values().stream()
                .filter(v -> (from == null || v.version().isAfter(from)) && !v.version().isAfter(to))
                .toList();
    }

    private void requireVersions() {
        if (versions.isEmpty()) {
            throw PromoterException.badInput("Product folder " + dir + " has no version folders; add one such as "
                    + dir.resolve("1.0.0"));
        }
    }
}
