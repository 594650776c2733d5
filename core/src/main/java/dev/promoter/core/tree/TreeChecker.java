package dev.promoter.core.tree;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks of {@code promote check} that look across versions: every version after a dialect first
 * appears has scripts for it (no gaps), scripts are not empty, checkpoints files parse.
 */
final class TreeChecker {
    private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|--[^\\n]*|#[^\\n]*");

    private TreeChecker() {
    }

    static List<TreeProblem> check(Collection<ProductTree> products) {
        List<TreeProblem> problems = new ArrayList<>();
        for (ProductTree product : products) {
            Path root = product.dir().getParent();
            if (product.versions().isEmpty()) {
                problems.add(new TreeProblem(SqlTree.rel(root, product.dir()), "product has no version folders",
                        "add <version>/<dialect>/migration.sql, such as 1.0.0/h2/migration.sql"));
                continue;
            }
            for (DialectName d : DialectName.values()) {
                boolean seen = false;
                for (VersionDir v : product.versions().values()) {
                    if (v.hasDialect(d)) {
                        seen = true;
                    } else if (seen) {
                        problems.add(new TreeProblem(SqlTree.rel(root, v.dir()) + "/" + d.id(),
                                "no " + d.id() + " scripts for version " + v.version() + ", but earlier versions have some:"
                                        + " the path through " + v.version() + " would be broken for " + d.id(),
                                "add " + SqlTree.rel(root, v.dir()) + "/" + d.id() + "/migration.sql (an empty change "
                                        + "is written as a comment and a harmless statement such as SELECT 1)"));
                    }
                }
            }
            for (VersionDir v : product.versions().values()) {
                v.scripts().values().forEach(list -> list.forEach(s -> {
                    if (COMMENTS.matcher(s.read()).replaceAll("").isBlank()) {
                        problems.add(new TreeProblem(s.treePath(), "empty script (nothing but comments or blanks)",
                                "write the script's statements, or delete the file"));
                    }
                }));
                if (v.checkpointsFile().isPresent()) {
                    try {
                        CheckpointsFile.read(v.checkpointsFile().get());
                    } catch (PromoterException e) {
                        problems.add(new TreeProblem(SqlTree.rel(root, v.checkpointsFile().get()), e.getMessage(),
                                "fix the YAML: new_tables: [..], row_count_changes: {table: drop}, "
                                        + "checks: [{name, sql, expect}]"));
                    }
                }
                if (v.scripts().isEmpty()) {
                    problems.add(new TreeProblem(SqlTree.rel(root, v.dir()), "version folder has no dialect folders",
                            "add " + SqlTree.rel(root, v.dir()) + "/<dialect>/migration.sql"));
                }
            }
        }
        return problems;
    }
}
