package dev.promoter.core.tree;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A query from a version's {@code checkpoints.yaml} that returns one value, and the value it must return.
 */
public record DeclaredCheck(@JsonProperty(value = "name", required = true) String name,
                            @JsonProperty(value = "sql", required = true) String sql,
                            @JsonProperty(value = "expect", required = true) Object expect) {
}
