package dev.promoter.core.migrate;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.Script;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;
import dev.promoter.testing.TreeFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiquibaseMigratorTest {
    @TempDir
    Path tmp;
    TreeFiles tree;
    Connection db;
    final LiquibaseMigrator migrator = new LiquibaseMigrator(new TestH2Dialect());

    @BeforeEach
    void setUp() throws SQLException {
        tree = new TreeFiles(tmp.resolve("sql"));
        tree.write("p/1.0.0/h2/migration.sql", """
                -- 1.0.0: the first table
                CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);
                INSERT INTO account VALUES (1, 'a;b');
                """);
        tree.write("p/1.1.0/h2/migration.sql", "ALTER TABLE account ADD COLUMN email VARCHAR(100);\n");
        tree.write("p/1.1.0/h2/10_audit.sql", "CREATE TABLE audit (id INT PRIMARY KEY, account_id INT);\n");
        tree.write("p/1.1.0/h2/populate.sql", "INSERT INTO audit VALUES (1, 1);\nINSERT INTO audit VALUES (2, 1);\n");
        db = DriverManager.getConnection("jdbc:h2:file:" + tmp.resolve("db") + "/app", "sa", "");
    }

    @AfterEach
    void close() throws SQLException {
        db.close();
    }

    private MigrationPlan install(String to) {
        return new Planner(SqlTree.load(tree.root()).product("p")).install(Version.parse(to), DialectName.H2);
    }

    private List<String> query(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Records what the migrator reports, as "started x" / "ok x" / "failed x". */
    private static final class Events implements ScriptListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void started(Script script) {
            seen.add("started " + script.changeSetId());
        }

        @Override
        public void finished(Script script, boolean succeeded) {
            seen.add((succeeded ? "ok " : "failed ") + script.changeSetId());
        }
    }

    @Test
    void updateRunsTheScriptsInOrderAndRecordsThem() throws SQLException {
        MigrationPlan chain = install("1.1.0");
        Events events = new Events();

        migrator.update(db, chain, chain.scripts(), events);

        assertThat(query("SELECT ID FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED")).containsExactly(
                "1.0.0/migration.sql", "1.1.0/migration.sql", "1.1.0/10_audit.sql", "1.1.0/populate.sql");
        assertThat(query("SELECT DISTINCT FILENAME FROM DATABASECHANGELOG")).containsExactly("p/h2");
        assertThat(query("SELECT DISTINCT EXECTYPE FROM DATABASECHANGELOG")).containsExactly("EXECUTED");
        assertThat(query("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE MD5SUM IS NULL")).containsExactly("0");
        assertThat(query("SELECT name FROM account")).containsExactly("a;b");
        assertThat(query("SELECT COUNT(*) FROM audit")).containsExactly("2");
        assertThat(query("SELECT email FROM account")).hasSize(1);
        assertThat(events.seen).containsExactly(
                "started 1.0.0/migration.sql", "ok 1.0.0/migration.sql",
                "started 1.1.0/migration.sql", "ok 1.1.0/migration.sql",
                "started 1.1.0/10_audit.sql", "ok 1.1.0/10_audit.sql",
                "started 1.1.0/populate.sql", "ok 1.1.0/populate.sql");
        assertThat(migrator.pending(db, chain)).isEmpty();
    }

    @Test
    void pendingListsTheScriptsNotRunYetAndUpdateRunsOnlyThose() throws SQLException {
        MigrationPlan first = install("1.0.0");
        migrator.update(db, first, first.scripts(), ScriptListener.NONE);
        MigrationPlan chain = install("1.1.0");

        assertThat(migrator.pending(db, chain))
                .containsExactly("1.1.0/migration.sql", "1.1.0/10_audit.sql", "1.1.0/populate.sql");

        MigrationPlan upgrade = new Planner(SqlTree.load(tree.root()).product("p"))
                .upgrade(Version.parse("1.0.0"), Version.parse("1.1.0"), DialectName.H2);
        migrator.update(db, chain, upgrade.scripts(), ScriptListener.NONE);

        assertThat(migrator.pending(db, chain)).isEmpty();
        assertThat(query("SELECT COUNT(*) FROM account")).containsExactly("1");
        assertThat(query("SELECT COUNT(*) FROM DATABASECHANGELOG")).containsExactly("4");
    }

    @Test
    void refusesWhenThePendingScriptsAreNotThePathsScripts() throws SQLException {
        MigrationPlan chain = install("1.1.0");
        List<Script> onlyTheUpgrade = chain.scripts().subList(1, chain.scripts().size());

        assertThatThrownBy(() -> migrator.update(db, chain, onlyTheUpgrade, ScriptListener.NONE))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("1.0.0/migration.sql")
                .hasMessageContaining("promote stamp");
        assertThat(query("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ACCOUNT'"))
                .containsExactly("0");
    }

    @Test
    void refusesAScriptEditedAfterItWasAppliedNamingTheFile() throws SQLException {
        MigrationPlan first = install("1.0.0");
        migrator.update(db, first, first.scripts(), ScriptListener.NONE);
        tree.write("p/1.0.0/h2/migration.sql", """
                -- 1.0.0: the first table (edited after it ran)
                CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL);
                INSERT INTO account VALUES (1, 'a;b');
                """);
        MigrationPlan chain = install("1.1.0");
        List<Script> upgrade = chain.scripts().subList(1, chain.scripts().size());

        assertThatThrownBy(() -> migrator.update(db, chain, upgrade, ScriptListener.NONE))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("p/1.0.0/h2/migration.sql")
                .hasMessageContaining("edited after");
        assertThatThrownBy(() -> migrator.pending(db, chain))
                .isInstanceOf(PromoterException.class).hasMessageContaining("p/1.0.0/h2/migration.sql");
        assertThat(query("SELECT COUNT(*) FROM DATABASECHANGELOG")).containsExactly("1");
    }

    @Test
    void syncMarksScriptsAppliedWithoutRunningThem() throws SQLException {
        MigrationPlan chain = install("1.1.0");

        migrator.sync(db, chain);

        assertThat(migrator.pending(db, chain)).isEmpty();
        assertThat(query("SELECT ID FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED")).containsExactly(
                "1.0.0/migration.sql", "1.1.0/migration.sql", "1.1.0/10_audit.sql", "1.1.0/populate.sql");
        assertThat(query("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME IN ('ACCOUNT', 'AUDIT')"))
                .containsExactly("0");
    }

    @Test
    void aFailingScriptFailsNamingTheScript() throws SQLException {
        tree.write("p/1.1.0/h2/10_audit.sql", "CREATE TABLE audit (id INT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n");
        MigrationPlan chain = install("1.1.0");
        Events events = new Events();

        assertThatThrownBy(() -> migrator.update(db, chain, chain.scripts(), events))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.FAILED))
                .hasMessageContaining("p/1.1.0/h2/10_audit.sql")
                .hasMessageContaining("NO_SUCH_TABLE")
                .hasMessageContaining("SQLSTATE 42S02");
        assertThat(events.seen).endsWith("started 1.1.0/10_audit.sql", "failed 1.1.0/10_audit.sql");
        assertThat(query("SELECT ID FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED"))
                .containsExactly("1.0.0/migration.sql", "1.1.0/migration.sql");
    }

    @Test
    void aFailureIsPinnedOnTheRightScriptWhenOneIdEndsAnother() throws SQLException {
        tree.write("p/11.0.0/h2/migration.sql", "INSERT INTO no_such_table VALUES (1);\n");
        MigrationPlan chain = install("11.0.0");

        assertThatThrownBy(() -> migrator.update(db, chain, chain.scripts(), ScriptListener.NONE))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.FAILED))
                .hasMessageContaining("script p/11.0.0/h2/migration.sql");
    }

    @Test
    void statementsSplitsAScriptAsItWillBeSent() {
        Script s = install("1.0.0").scripts().get(0);
        tree.write("p/1.0.0/h2/migration.sql", """
                -- two statements; the semicolon in this comment and in the string do not split
                CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);
                INSERT INTO account VALUES (1, 'a;b');

                UPDATE account SET name = 'c' WHERE id = 1;
                """);

        List<String> statements = migrator.statements(s);

        assertThat(statements).hasSize(3);
        assertThat(statements.get(0)).contains("CREATE TABLE account").doesNotEndWith(";");
        assertThat(statements.get(1)).isEqualTo("INSERT INTO account VALUES (1, 'a;b')");
        assertThat(statements.get(2)).isEqualTo("UPDATE account SET name = 'c' WHERE id = 1");
    }
}
