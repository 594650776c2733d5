package dev.promoter.core.spi;

import java.util.Comparator;
import java.util.Objects;

/**
 * A table as the catalog spells it. {@code schema} is the namespace inside the database (PostgreSQL
 * schema, H2 schema) or null where the database is the namespace (MySQL).
 */
public record TableRef(String schema, String name) implements Comparable<TableRef> {
    private static final Comparator<TableRef> ORDER = Comparator
            .comparing((TableRef t) -> t.schema == null ? "" : t.schema)
            .thenComparing(TableRef::name);

    public TableRef {
        Objects.requireNonNull(name, "name");
    }

    /** {@code schema.name}, or just the name where there is no schema: for messages and reports. */
    public String display() {
        return schema == null ? name : schema + "." + name;
    }

    @Override
    public int compareTo(TableRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return display();
    }
}
