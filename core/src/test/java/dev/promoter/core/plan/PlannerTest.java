package dev.promoter.core.plan;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.Script;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.tree.VersionDir;
import dev.promoter.core.version.Version;
import dev.promoter.testing.TreeFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlannerTest {
    private static final Planner SAMPLE = new Planner(SqlTree.load(TreeFiles.sampleTree()).product("storage-server"));

    private static Version v(String text) {
        return Version.parse(text);
    }

    @Test
    void anUpgradeWalksEverySkippedVersionInOrder() {
        MigrationPlan plan = SAMPLE.upgrade(v("1.0.0"), v("1.10.0"), DialectName.H2);

        assertThat(plan.versions()).extracting(VersionDir::version).extracting(Version::toString)
                .containsExactly("1.1.0", "1.2.0", "1.9.0", "1.10.0");
        assertThat(plan.scripts()).extracting(Script::treePath).containsExactly(
                "storage-server/1.1.0/h2/migration.sql",
                "storage-server/1.1.0/h2/20_user_store_indexes.sql",
                "storage-server/1.1.0/h2/populate.sql",
                "storage-server/1.2.0/h2/migration.sql",
                "storage-server/1.2.0/h2/10_user_scope.sql",
                "storage-server/1.9.0/h2/migration.sql",
                "storage-server/1.9.0/h2/10_rename_scopes.sql",
                "storage-server/1.10.0/h2/migration.sql",
                "storage-server/1.10.0/h2/10_move_executions.sql",
                "storage-server/1.10.0/h2/20_drop_executions.sql");
        assertThat(plan.scripts()).allSatisfy(s -> assertThat(s.dialect()).isEqualTo(DialectName.H2));
        assertThat(plan.from()).contains(v("1.0.0"));
        assertThat(plan.to()).hasToString("1.10.0");
        assertThat(plan.isEmpty()).isFalse();
        assertThat(plan.describe()).isEqualTo("storage-server 1.0.0 -> 1.10.0 on h2 through [1.1.0, 1.2.0, 1.9.0, 1.10.0]");
    }

    @Test
    void aPartialUpgradeStartsAfterLiveAndStopsAtTheTarget() {
        MigrationPlan plan = SAMPLE.upgrade(v("1.1.0"), v("1.9.0"), DialectName.POSTGRESQL);

        assertThat(plan.versions()).extracting(x -> x.version().toString()).containsExactly("1.2.0", "1.9.0");
        assertThat(plan.scripts()).extracting(Script::treePath)
                .allSatisfy(p -> assertThat(p).contains("/postgresql/"));
    }

    @Test
    void theSameVersionIsAnEmptyPlan() {
        MigrationPlan plan = SAMPLE.upgrade(v("1.9"), v("1.9.0"), DialectName.MYSQL);

        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.scripts()).isEmpty();
    }

    @Test
    void refusesARollbackNamingBothVersionsAndRestore() {
        assertThatThrownBy(() -> SAMPLE.upgrade(v("1.10.0"), v("1.9.0"), DialectName.H2))
                .isInstanceOfSatisfying(PromoterException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.REFUSED);
                    assertThat(e.outcome().exitCode()).isEqualTo(3);
                })
                .hasMessageContaining("1.10.0")
                .hasMessageContaining("1.9.0")
                .hasMessageContaining("restore");
    }

    @Test
    void refusesATargetThatIsNotInTheTree() {
        assertThatThrownBy(() -> SAMPLE.upgrade(v("1.0.0"), v("1.5.0"), DialectName.H2))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("1.5.0");
    }

    @Test
    void installsTheFullChainFromNothing() {
        MigrationPlan plan = SAMPLE.install(v("1.2.0"), DialectName.MYSQL);

        assertThat(plan.from()).isEqualTo(Optional.empty());
        assertThat(plan.versions()).extracting(x -> x.version().toString()).containsExactly("1.0.0", "1.1.0", "1.2.0");
        assertThat(plan.scripts()).first().extracting(Script::treePath)
                .isEqualTo("storage-server/1.0.0/mysql/migration.sql");
        assertThat(plan.describe()).startsWith("storage-server (empty) -> 1.2.0 on mysql");
    }

    @Test
    void ordersScriptsMigrationThenByNameThenPopulate(@TempDir Path root) {
        TreeFiles t = new TreeFiles(root);
        t.write("p/1.0/h2/populate.sql", "INSERT INTO a VALUES (1);");
        t.write("p/1.0/h2/zz_last.sql", "SELECT 1;");
        t.write("p/1.0/h2/migration.sql", "CREATE TABLE a (id INT);");
        t.write("p/1.0/h2/10_b.sql", "SELECT 1;");
        t.write("p/1.0/h2/02_a.sql", "SELECT 1;");

        MigrationPlan plan = new Planner(SqlTree.load(root).product("p")).install(v("1.0"), DialectName.H2);

        assertThat(plan.scripts()).extracting(Script::name)
                .containsExactly("migration.sql", "02_a.sql", "10_b.sql", "zz_last.sql", "populate.sql");
    }

    @Test
    void refusesAPathWithAGapForTheDialectNamingTheVersion(@TempDir Path root) {
        TreeFiles t = new TreeFiles(root);
        t.write("p/1.0.0/h2/migration.sql", "CREATE TABLE a (id INT);");
        t.write("p/1.1.0/postgresql/migration.sql", "CREATE TABLE b (id INT);");
        t.write("p/1.0.0/postgresql/migration.sql", "CREATE TABLE a (id INT);");
        t.write("p/1.2.0/h2/migration.sql", "CREATE TABLE c (id INT);");
        t.write("p/1.2.0/postgresql/migration.sql", "CREATE TABLE c (id INT);");
        SqlTree tree = SqlTree.load(root);
        assertThat(tree.problems()).isNotEmpty();
        ProductTree p = tree.products().get("p"); // the checker reports the gap; the planner must refuse it too
        Planner planner = new Planner(p);

        assertThatThrownBy(() -> planner.upgrade(v("1.0.0"), v("1.2.0"), DialectName.H2))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("version(s) [1.1.0]")
                .hasMessageContaining("h2")
                .hasMessageContaining(root.resolve("p/1.1.0/h2/migration.sql").toString());
        assertThatThrownBy(() -> planner.install(v("1.2.0"), DialectName.H2))
                .isInstanceOf(PromoterException.class).hasMessageContaining("[1.1.0]");
        assertThat(planner.upgrade(v("1.0.0"), v("1.2.0"), DialectName.POSTGRESQL).scripts()).hasSize(2);
        assertThatThrownBy(() -> planner.install(v("1.0.0"), DialectName.MYSQL))
                .isInstanceOf(PromoterException.class).hasMessageContaining("no mysql scripts for version(s) [1.0.0]");
    }
}
