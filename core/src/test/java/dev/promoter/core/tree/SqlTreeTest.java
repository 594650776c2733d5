package dev.promoter.core.tree;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;
import dev.promoter.testing.TreeFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlTreeTest {
    private static final String SQL = "CREATE TABLE t (id INT PRIMARY KEY);\n";

    @TempDir
    Path root;
    TreeFiles tree;

    @BeforeEach
    void setUp() {
        tree = new TreeFiles(root);
    }

    private void version(String v, String... dialects) {
        for (String d : dialects) {
            tree.write("p/" + v + "/" + d + "/migration.sql", "-- " + v + "\n" + SQL);
        }
    }

    private static TreeProblem only(SqlTree t, String path) {
        assertThat(t.problems()).as("problems of the tree").extracting(TreeProblem::path).contains(path);
        TreeProblem p = t.problems().stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
        assertThat(p.problem()).isNotBlank();
        assertThat(p.fix()).isNotBlank();
        return p;
    }

    @Test
    void aValidTreeLoadsWithVersionsInVersionOrder() {
        for (String v : List.of("1.10.0", "1.9.0", "1.0.0", "1.2.0", "1.1.0")) {
            version(v, "h2", "postgresql");
        }
        tree.write("p/1.1.0/h2/populate.sql", "INSERT INTO t VALUES (1);");
        tree.write("p/1.1.0/h2/20_b.sql", "SELECT 1;");
        tree.write("p/1.1.0/h2/10_a.sql", "SELECT 1;");
        tree.write("p/1.1.0/checkpoints.yaml", "new_tables: [t]\n");
        tree.write("p/README.md", "docs are allowed");
        tree.write("p/1.1.0/h2/README", "docs are allowed");

        SqlTree t = SqlTree.load(root);

        assertThat(t.problems()).isEmpty();
        ProductTree p = t.product("p");
        assertThat(t.product(null)).isEqualTo(p);
        assertThat(p.versions().keySet()).extracting(Object::toString)
                .containsExactly("1.0.0", "1.1.0", "1.2.0", "1.9.0", "1.10.0");
        assertThat(p.oldest()).hasToString("1.0.0");
        assertThat(p.newest()).hasToString("1.10.0");
        VersionDir v110 = p.versions().get(dev.promoter.core.version.Version.parse("1.1"));
        assertThat(v110.scripts(DialectName.H2)).extracting(Script::treePath).containsExactly(
                "p/1.1.0/h2/migration.sql", "p/1.1.0/h2/10_a.sql", "p/1.1.0/h2/20_b.sql", "p/1.1.0/h2/populate.sql");
        assertThat(v110.scripts(DialectName.H2)).extracting(Script::kind).containsExactly(
                Script.Kind.MIGRATION, Script.Kind.PRODUCT, Script.Kind.PRODUCT, Script.Kind.POPULATE);
        assertThat(v110.scripts(DialectName.H2).get(0).changeSetId()).isEqualTo("1.1.0/migration.sql");
        assertThat(v110.scripts(DialectName.MYSQL)).isEmpty();
        assertThat(v110.checkpoints().newTables()).containsExactly("t");
    }

    @Test
    void reportsAGapWhereADialectStopsHavingScripts() {
        version("1.0", "h2", "postgresql");
        version("1.1", "postgresql");
        version("1.2", "h2", "postgresql");

        SqlTree t = SqlTree.load(root);

        TreeProblem p = only(t, "p/1.1/h2");
        assertThat(p.problem()).contains("no h2 scripts for version 1.1");
        assertThat(p.fix()).contains("p/1.1/h2/migration.sql");
        assertThat(t.problems()).hasSize(1);
    }

    @Test
    void reportsCollidingVersions() {
        version("1.0.0", "h2");
        version("1.1", "h2");
        version("1.1.0", "h2");

        SqlTree t = SqlTree.load(root);

        TreeProblem p = only(t, "p/1.1.0");
        assertThat(p.problem()).contains("collides with 1.1");
        assertThat(p.fix()).contains("p/1.1.0").contains("p/1.1");
    }

    @Test
    void reportsAFolderThatIsNotAVersion() {
        version("1.0.0", "h2");
        version("1.x", "h2");

        TreeProblem p = only(SqlTree.load(root), "p/1.x");

        assertThat(p.problem()).contains("\"1.x\" is not a version");
        assertThat(p.fix()).contains("rename");
    }

    @Test
    void reportsAScriptWithNothingButComments() {
        version("1.0.0", "h2");
        tree.write("p/1.0.0/h2/10_empty.sql", "-- nothing yet\n/* still\n nothing */\n\n   \n");

        SqlTree t = SqlTree.load(root);

        TreeProblem p = only(t, "p/1.0.0/h2/10_empty.sql");
        assertThat(p.problem()).contains("empty script");
        assertThat(t.problems()).hasSize(1);
    }

    @Test
    void reportsAStrayFileAmongTheScriptsButAllowsReadme() {
        version("1.0.0", "h2");
        tree.write("p/1.0.0/h2/notes.txt", "a stray file");
        tree.write("p/1.0.0/h2/README", "allowed");
        tree.write("p/1.0.0/h2/readme.md", "allowed");

        SqlTree t = SqlTree.load(root);

        TreeProblem p = only(t, "p/1.0.0/h2/notes.txt");
        assertThat(p.problem()).contains("stray file");
        assertThat(p.fix()).contains(".sql");
        assertThat(t.problems()).extracting(TreeProblem::path).containsExactly("p/1.0.0/h2/notes.txt");
    }

    @Test
    void reportsStrayFilesInVersionAndProductFolders() {
        version("1.0.0", "h2");
        tree.write("p/1.0.0/migration.sql", SQL);
        tree.write("p/notes.txt", "x");
        tree.write("top.sql", SQL);

        SqlTree t = SqlTree.load(root);

        assertThat(t.problems()).extracting(TreeProblem::path)
                .containsExactlyInAnyOrder("p/1.0.0/migration.sql", "p/notes.txt", "top.sql");
        assertThat(only(t, "p/1.0.0/migration.sql").fix()).contains("p/1.0.0/<dialect>/");
    }

    @Test
    void reportsAnUnknownDialectFolder() {
        version("1.0.0", "h2");
        tree.write("p/1.0.0/oracle/migration.sql", SQL);

        TreeProblem p = only(SqlTree.load(root), "p/1.0.0/oracle");

        assertThat(p.problem()).contains("unknown dialect folder \"oracle\"");
        assertThat(p.fix()).contains("postgresql, mysql or h2");
    }

    @Test
    void reportsAMalformedCheckpointsFileWithFileLineAndField() {
        version("1.0.0", "h2");
        tree.write("p/1.0.0/checkpoints.yaml", """
                new_tables: [t]
                checks:
                  - name: rows
                    sqll: SELECT count(*) FROM t
                    expect: 0
                """);

        TreeProblem p = only(SqlTree.load(root), "p/1.0.0/checkpoints.yaml");

        assertThat(p.problem()).contains("checkpoints.yaml").contains("line 3").contains("field checks[0].sql");
        assertThat(p.fix()).contains("checks:");
    }

    @Test
    void reportsVersionAndProductFoldersWithoutScripts() {
        version("1.0.0", "h2");
        tree.dir("p/1.1.0");
        tree.dir("q");

        SqlTree t = SqlTree.load(root);

        assertThat(only(t, "p/1.1.0").problem()).contains("no dialect folders");
        assertThat(only(t, "q").problem()).contains("no version folders");
    }

    @Test
    void refusesToHandOutAProductFromATreeWithProblems() {
        version("1.0.0", "h2");
        version("1.x", "h2");

        SqlTree t = SqlTree.load(root);

        assertThatThrownBy(() -> t.product("p"))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("1 problem(s)")
                .hasMessageContaining("p/1.x");
        assertThat(t.products()).containsKey("p");
    }

    @Test
    void refusesAMissingTreeAndAnUnknownProduct() {
        assertThatThrownBy(() -> SqlTree.load(root.resolve("nope")))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("nope").hasMessageContaining("--sql");

        version("1.0.0", "h2");
        assertThatThrownBy(() -> SqlTree.load(root).product("other"))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("\"other\"").hasMessageContaining("[p]");
    }

    @Test
    void theSampleTreeHasNoProblems() {
        SqlTree t = SqlTree.load(TreeFiles.sampleTree());

        assertThat(t.problems()).isEmpty();
        ProductTree p = t.product("storage-server");
        assertThat(p.versions().keySet()).extracting(Object::toString)
                .containsExactly("1.0.0", "1.1.0", "1.2.0", "1.9.0", "1.10.0");
        for (VersionDir v : p.versions().values()) {
            for (DialectName d : DialectName.values()) {
                assertThat(v.hasDialect(d)).as("%s has %s scripts", v.version(), d).isTrue();
            }
            assertThat(v.checkpoints().file().getFileName()).hasToString(CheckpointsFile.FILE_NAME);
        }
    }
}
