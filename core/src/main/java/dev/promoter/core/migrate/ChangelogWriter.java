package dev.promoter.core.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.ScriptChunk;
import dev.promoter.core.tree.Script;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Liquibase changelog for a plan: one changeset per script, identified by
 * {@code <version>/<file>} under the logical path {@code <product>/<dialect>}, so that moving the sql/
 * tree does not change what Liquibase considers applied. The script text goes in inline, one {@code sql}
 * change per chunk (see {@link Dialect#chunks}), and is what Liquibase checksums.
 */
final class ChangelogWriter {
    static final String AUTHOR = "promoter";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

    private ChangelogWriter() {
    }

    static String logicalPath(MigrationPlan plan) {
        return plan.product() + "/" + plan.dialect().id();
    }

    static void write(MigrationPlan plan, Dialect dialect, Path file) throws IOException {
        List<Object> entries = new ArrayList<>();
        for (Script s : plan.scripts()) {
            List<Object> changes = new ArrayList<>();
            for (ScriptChunk chunk : dialect.chunks(s.read())) {
                Map<String, Object> sql = new LinkedHashMap<>();
                sql.put("sql", chunk.sql());
                sql.put("splitStatements", chunk.delimiter() != null);
                if (chunk.delimiter() != null) {
                    sql.put("endDelimiter", chunk.delimiter());
                }
                sql.put("stripComments", false);
                changes.add(Map.of("sql", sql));
            }
            Map<String, Object> cs = new LinkedHashMap<>();
            cs.put("id", s.changeSetId());
            cs.put("author", AUTHOR);
            cs.put("logicalFilePath", logicalPath(plan));
            cs.put("labels", s.version().toString());
            cs.put("runInTransaction", dialect.supportsDdlTransactions());
            cs.put("comment", s.treePath());
            cs.put("changes", changes);
            entries.add(Map.of("changeSet", cs));
        }
        YAML.writeValue(file.toFile(), Map.of("databaseChangeLog", entries));
    }
}
