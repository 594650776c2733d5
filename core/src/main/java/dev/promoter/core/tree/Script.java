package dev.promoter.core.tree;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.version.Version;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One script of the tree: {@code sql/<product>/<version>/<dialect>/<name>.sql}.
 *
 * @param treePath the path relative to the tree root, with forward slashes (stable across machines)
 */
public record Script(String product, Version version, DialectName dialect, String name, Kind kind,
                     Path file, String treePath) {

    /** Run order inside a version: platform changes, then product scripts by name, then seed data. */
    public enum Kind { MIGRATION, PRODUCT, POPULATE }

    public static final String MIGRATION_FILE = "migration.sql";
    public static final String POPULATE_FILE = "populate.sql";

    public static Kind kindOf(String fileName) {
        return switch (fileName) {
            case MIGRATION_FILE -> Kind.MIGRATION;
            case POPULATE_FILE -> Kind.POPULATE;
            default -> Kind.PRODUCT;
        };
    }

    /** The changeset id Liquibase records: {@code <version>/<file name>}. */
    public String changeSetId() {
        return version + "/" + name;
    }

    public String read() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read script " + file + ": " + e.getMessage(), e);
        }
    }
}
