package dev.promoter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** plan, check and --help: no database involved. */
class OfflineCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void planListsEveryVersionOnThePathAndTheSql() {
        CliRun r = CliRun.run("plan", "--from", "1.0.0", "--to", "1.10.0", "--dialect", "h2", "--sql",
                "--sql-dir", H2Live.repoSql().toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).containsSubsequence("-- Version 1.1.0", "-- Version 1.2.0", "-- Version 1.9.0",
                "-- Version 1.10.0");
        assertThat(r.out()).containsSubsequence("1.10.0/h2/migration.sql", "10_move_executions.sql",
                "20_drop_executions.sql");
        assertThat(r.out()).contains("CREATE TABLE um_tenant", "DROP TABLE executions;");
        assertThat(r.out()).doesNotContain("-- Version 1.0.0");
    }

    @Test
    void planWithoutSqlShowsOnlyThePath() {
        CliRun r = CliRun.run("plan", "--from", "1.2.0", "--dialect", "h2", "--sql-dir", H2Live.repoSql().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("through [1.9.0, 1.10.0]").doesNotContain("CREATE TABLE");
    }

    /** Every other command's --sql names the tree; plan's prints the SQL, so a tree given to it is pointed at --sql-dir. */
    @Test
    void planGivenATreeAfterSqlPointsAtSqlDir() {
        String tree = H2Live.repoSql().toString();
        CliRun r = CliRun.run("plan", "--from", "1.0.0", "--dialect", "h2", "--sql", tree);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("plan's --sql prints the SQL and takes no value; give the tree with --sql-dir " + tree);
        CliRun other = CliRun.run("plan", "--from", "1.0.0", "--dialect", "h2", "stray");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).doesNotContain("--sql-dir stray");
    }

    @Test
    void planRefusesRollback() {
        CliRun r = CliRun.run("plan", "--from", "1.10.0", "--to", "1.1.0", "--dialect", "h2", "--sql-dir",
                H2Live.repoSql().toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("Rollback is not supported");
    }

    @Test
    void checkPassesOnTheSampleTreeAndNamesEachProblemOfABrokenOne() throws Exception {
        assertThat(CliRun.run("check", "--sql", H2Live.repoSql().toString()).exit()).isZero();

        Path sql = tmp.resolve("sql");
        H2Live.copyTree(H2Live.repoSql(), sql);
        Path p = sql.resolve("storage-server");
        Files.createDirectories(p.resolve("1.2/h2"));
        Files.writeString(p.resolve("1.2/h2/migration.sql"), "SELECT 1;");
        Files.createDirectories(p.resolve("2.x/h2"));
        Files.delete(p.resolve("1.9.0/mysql/10_rename_scopes.sql"));
        Files.delete(p.resolve("1.9.0/mysql/migration.sql"));
        Files.writeString(p.resolve("1.1.0/h2/30_empty.sql"), "-- nothing here\n");
        Files.writeString(p.resolve("1.1.0/h2/notes.txt"), "stray");
        Files.writeString(p.resolve("1.9.0/checkpoints.yaml"), "new_tables: [a]\nchecks:\n  - name: x\n    sqll: SELECT 1\n");

        CliRun r = CliRun.run("check", "--sql", sql.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("storage-server/1.2.0: version 1.2.0 collides with 1.2")
                .contains("storage-server/2.x: \"2.x\" is not a version")
                .contains("storage-server/1.9.0/mysql: no mysql scripts for version 1.9.0")
                .contains("storage-server/1.1.0/h2/30_empty.sql: empty script")
                .contains("storage-server/1.1.0/h2/notes.txt: stray file")
                .contains("storage-server/1.9.0/checkpoints.yaml", "line 3", "checks[0].sql")
                .contains("fix:");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[]{"run", "plan", "check", "install", "stamp", "status", "history", "backup",
                "restore", "demo"}) {
            CliRun r = CliRun.run(cmd, "--help");
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("Usage: promote " + cmd);
        }
        assertThat(CliRun.run("--help").out()).contains("Exit codes", "promote demo");
    }

    @Test
    void badInputExitsTwoNamingTheProblem() {
        CliRun r = CliRun.run("--verify", "--to", "1.x", "--url", "jdbc:h2:file:" + tmp.resolve("nothing"));
        assertThat(r.exit()).isEqualTo(2);
        CliRun noUrl = CliRun.run("--verify");
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("--url");
        CliRun unknown = CliRun.run("--frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
    }

    @Test
    void configFileSuppliesOptionsAndRefusesPasswords() throws Exception {
        Path cfg = tmp.resolve("promoter.yaml");
        Files.writeString(cfg, "url: jdbc:h2:file:/nonexistent/x\npassword: secret\n");
        CliRun r = CliRun.run("--config", cfg.toString(), "--verify");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("password").doesNotContain("secret");
        Files.writeString(cfg, "colour: blue\n");
        assertThat(CliRun.run("--config", cfg.toString()).err()).contains("unknown option \"colour\"");
    }
}
