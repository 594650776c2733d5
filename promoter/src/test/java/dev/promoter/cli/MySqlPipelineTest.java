package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DialectName;
import dev.promoter.testing.TestServers;

/** The pipeline contract on the real MariaDB (MySQL family) server. */
class MySqlPipelineTest extends ServerPipelineContract {
    @Override
    protected ConnectionSpec admin() {
        return TestServers.mysqlAdmin();
    }

    @Override
    protected DialectName dialectName() {
        return DialectName.MYSQL;
    }


    @Override
    protected String foreignStagingUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/" + name + "_staging";
    }

    @Override
    protected String sneakyCorruptionScript() {
        return "SET @s = CONCAT('UPDATE audit', '_log SET action = ''lost'' WHERE id = 7');\nPREPARE st FROM @s;\n"
                + "EXECUTE st;\nDEALLOCATE PREPARE st;\n";
    }

    @Override
    protected String sleepStatement(int seconds) {
        return "SELECT SLEEP(" + seconds + ")";
    }

    @Override
    protected String orphaningScript() {
        return "SET FOREIGN_KEY_CHECKS = 0;\nDELETE FROM workflow_executions WHERE id = 1;\nSET FOREIGN_KEY_CHECKS = 1;\n";
    }

    /** The run's backup comes from the clone's own rows (live read once) and restores to what the archive holds. */
    @org.junit.jupiter.api.Test
    void theRunsBackupIsWrittenByTheCloneAndRestoresToTheSnapshot() throws Exception {
        installOldestWithData();
        CliRun r = CliRun.run(env(), args("--verify"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(r.out()).contains("written by the clone from its snapshot", "PROMOTED");
        java.nio.file.Path dir;
        try (var files = java.nio.file.Files.list(tmp.resolve("backups"))) {
            dir = files.findFirst().orElseThrow();
        }
        org.assertj.core.api.Assertions.assertThat(dir.resolve("mysql-objects.json")).exists();
        String restored = name + "_restored";
        CliRun back = CliRun.run(env(), "restore", "--backup", dir.toString(), "--url", urlOf(restored), "--user", admin().user());
        org.assertj.core.api.Assertions.assertThat(back.exit()).as(back.all()).isZero();
        String archive = server.list(name + "_archive_").get(0);
        org.assertj.core.api.Assertions.assertThat(checksums(restored)).isEqualTo(checksums(archive));
    }

    /**
     * kill -9 of a run inside its switch, after the RENAME: the old live's routine is being dropped while a session
     * of the test still uses it (a routine's metadata lock is held to the end of the transaction), and the run is
     * killed while it waits. The next run completes the switch from its journal and records the version.
     */
    @org.junit.jupiter.api.Test
    void aRunKilledInsideItsSwitchIsCompletedByTheNext() throws Exception {
        installOldestWithData();
        Connections.jdbi(spec()).useHandle(h -> h.execute("CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2"));
        String other = name + "_other"; // a transaction holds a routine's lock only once it has used a table
        server.create(other);
        Connections.jdbi(server.database(other)).useHandle(h -> h.execute("CREATE TABLE one (i INT)"));
        var before = checksums(name);
        java.nio.file.Path log = tmp.resolve("killed.log");
        try (java.sql.Connection user = Connections.open(spec());
             java.sql.Statement st = user.createStatement();
             java.sql.Connection probe = Connections.open(spec());
             java.sql.Statement look = probe.createStatement()) {
            user.setAutoCommit(false);
            st.executeQuery("SELECT " + name + ".twice(1) FROM " + other + ".one").close();
            Process p = startCli(log, () -> {
                try (java.sql.ResultSet rs = look.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                        + " WHERE INFO LIKE 'DROP FUNCTION%twice%' AND STATE LIKE 'Waiting for%metadata lock'")) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            }, args("--verify", "--skip-backup", "--allow-drift", "--lock-ttl", "4"));
            p.destroyForcibly(); // SIGKILL: no hook, no finally
            org.assertj.core.api.Assertions.assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            user.rollback();
        }
        org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.readString(log)).doesNotContain("PROMOTED");
        String archive = server.list(name + "_archive_").get(0);
        org.assertj.core.api.Assertions.assertThat(checksums(archive)).as("the RENAME ran").isEqualTo(before);
        Thread.sleep(5_000); // the dead run's lease (4 s) runs out
        org.assertj.core.api.Assertions.assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out())
                .contains("LIVE:     a switch left part way", "archive " + archive, "`promote recover`");

        CliRun next = CliRun.run(env(), args("--verify", "--skip-backup", "--allow-drift"));

        System.out.println("killed inside its switch:\n" + java.nio.file.Files.readString(log) + "\nthe next run:\n" + next.out());
        org.assertj.core.api.Assertions.assertThat(next.exit()).as(next.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(next.out()).contains("Completed the switch of " + name,
                "old live is kept as " + archive, "nothing to do");
        org.assertj.core.api.Assertions.assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out())
                .contains("storage-server 1.10.0");
        int inLive = Connections.jdbi(spec()).withHandle(h -> h.createQuery("SELECT twice(21)").mapTo(Integer.class).one());
        int inArchive = Connections.jdbi(server.database(archive)).withHandle(h ->
                h.createQuery("SELECT twice(4)").mapTo(Integer.class).one());
        int journals = Connections.jdbi(server.ledger()).withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM mysql_switch_journal WHERE live_db = :n").bind("n", name).mapTo(Integer.class).one());
        org.assertj.core.api.Assertions.assertThat(inLive).isEqualTo(42);
        org.assertj.core.api.Assertions.assertThat(inArchive).isEqualTo(8);
        org.assertj.core.api.Assertions.assertThat(journals).isZero();
        org.assertj.core.api.Assertions.assertThat(server.list(name + "_")).containsExactly(archive, other);
    }

    /** InnoDB's AUTO_INCREMENT never falls below max(id) + 1, so a counter cannot be left behind here. */
    @Override
    protected boolean leaveCountersBehind(java.nio.file.Path moveScript) {
        return false;
    }

    /** Users and users are two tables (table names are case-sensitive here): each is checked against its own copy. */
    @org.junit.jupiter.api.Test
    void tablesWhoseNamesDifferOnlyInCaseAreEachCheckedAgainstTheirOwnCopy() throws Exception {
        installOldestWithData();
        long rows = checksums(name).get("audit_log").rows();
        dev.promoter.core.db.Connections.jdbi(spec()).useHandle(h -> {
            h.execute("CREATE TABLE Audit_Log (id int PRIMARY KEY, note varchar(10))");
            h.execute("INSERT INTO Audit_Log VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        });
        CliRun r = CliRun.run(env(), args("--verify", "--allow-drift", "--skip-backup"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        var checkpoints = reportCheckpoints();
        for (String t : java.util.List.of("audit_log", "Audit_Log")) {
            var c = checkpoints.get("content of " + t + " unchanged");
            org.assertj.core.api.Assertions.assertThat(c == null ? "absent" : c.get("status").asText())
                    .as(t + " in " + checkpoints.keySet()).isEqualTo("PASS");
        }
        org.assertj.core.api.Assertions.assertThat(checkpoints.get("rows of Audit_Log carried").get("actual").asText())
                .isEqualTo("3");
        org.assertj.core.api.Assertions.assertThat(checkpoints.get("rows of audit_log carried").get("actual").asText())
                .isEqualTo(String.valueOf(rows));
    }
}
