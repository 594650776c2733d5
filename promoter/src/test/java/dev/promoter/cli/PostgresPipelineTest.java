package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.DialectName;
import dev.promoter.testing.TestServers;

import java.util.Map;

/** The pipeline contract on the real PostgreSQL server. */
class PostgresPipelineTest extends ServerPipelineContract {
    @Override
    protected ConnectionSpec admin() {
        return TestServers.postgresAdmin();
    }

    @Override
    protected DialectName dialectName() {
        return DialectName.POSTGRESQL;
    }


    @Override
    protected String foreignStagingUrl() {
        return "jdbc:mysql://127.0.0.1:3306/" + name + "_staging";
    }

    @Override
    protected String sneakyCorruptionScript() {
        return "DO $$ BEGIN EXECUTE 'UPDATE audit' || '_log SET action = ''lost'' WHERE id = 7'; END $$;\n";
    }

    @Override
    protected String sleepStatement(int seconds) {
        return "SELECT pg_sleep(" + seconds + ")";
    }

    @Override
    protected String orphaningScript() {
        return "SET session_replication_role = replica;\nDELETE FROM workflow_executions WHERE id = 1;\n"
                + "SET session_replication_role = origin;\n";
    }

    @Override
    protected boolean leaveCountersBehind(java.nio.file.Path moveScript) throws java.io.IOException {
        String s = java.nio.file.Files.readString(moveScript);
        java.nio.file.Files.writeString(moveScript, s.replaceAll("(?m)^SELECT setval\\(.*$", ""));
        return true;
    }

    /** The template strategy ends the writer's sessions for the file copy; every row it committed is in live after. */
    @org.junit.jupiter.api.Test
    void aConcurrentWriterLosesNoCommittedRowWithTheTemplateStrategy() throws Exception {
        CliRun r = writerLosesNothing("--verify", "--skip-backup", "--clone-strategy", "template");
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
    }

    @org.junit.jupiter.api.Test
    void templateStrategyPromotesWithTheSameResult() {
        installOldestWithData();
        var before = checksums(name);
        CliRun r = CliRun.run(env(), args("--verify", "--verify-backup", "--clone-strategy", "template"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(r.out()).contains("by file copy; connections to live were refused for",
                "written by the clone from its snapshot", "[PASS] backup restores to the snapshot", "PROMOTED");
        var after = checksums(name);
        org.assertj.core.api.Assertions.assertThat(after.get("audit_log")).isEqualTo(before.get("audit_log"));
        org.assertj.core.api.Assertions.assertThat(after).containsKey("workflow_executions").doesNotContainKey("executions");
        org.assertj.core.api.Assertions.assertThat(checksums(server.list(name + "_archive_").get(0))).isEqualTo(before);
    }

    /** The online clone writes the run's backup; the CLI restores it into a new database equal to the old live. */
    @org.junit.jupiter.api.Test
    void theRunsBackupIsWrittenByTheCloneAndRestores() throws Exception {
        installOldestWithData();
        var before = checksums(name);
        CliRun r = CliRun.run(env(), args("--verify", "--to", "1.2.0"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(r.out()).contains("written by the clone from its snapshot", "PROMOTED");
        java.nio.file.Path dir;
        try (var s = java.nio.file.Files.list(tmp.resolve("backups"))) {
            dir = s.filter(java.nio.file.Files::isDirectory).findFirst().orElseThrow();
        }
        org.assertj.core.api.Assertions.assertThat(dir.resolve("tables.json")).isRegularFile();
        // statistics were taken after the migration: a table the path creates and fills has them
        dev.promoter.core.db.Connections.jdbi(spec()).useHandle(h -> org.assertj.core.api.Assertions.assertThat(
                h.createQuery("SELECT c.reltuples::bigint = (SELECT count(*) FROM um_tenant) "
                        + "AND (SELECT count(*) FROM um_tenant) > 0 FROM pg_class c "
                        + "WHERE c.oid = 'um_tenant'::regclass").mapTo(Boolean.class).one()).isTrue());
        org.assertj.core.api.Assertions.assertThat(dir.resolve("schema.dump")).isRegularFile();
        org.assertj.core.api.Assertions.assertThat(dir.resolve("manifest.json")).content().contains("data/0001.copy");
        String restored = name + "_restored";
        CliRun back = CliRun.run(env(), "restore", "--backup", dir.toString(), "--url", urlOf(restored), "--user",
                admin().user());
        org.assertj.core.api.Assertions.assertThat(back.exit()).as(back.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(checksums(restored)).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void backupFormatDumpTakesAPgDumpArchiveBeforeTheClone() throws Exception {
        installOldestWithData();
        CliRun bad = CliRun.run(env(), args("--verify", "--backup-format", "zip"));
        org.assertj.core.api.Assertions.assertThat(bad.exit()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThat(bad.err()).contains("Unknown backup format \"zip\"");
        CliRun r = CliRun.run(env(), args("--verify", "--verify-backup", "--backup-format", "dump", "--to", "1.1.0"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(r.out()).contains("[PASS] backup restores to the snapshot")
                .doesNotContain("written by the clone");
        java.nio.file.Path dir;
        try (var s = java.nio.file.Files.list(tmp.resolve("backups"))) {
            dir = s.filter(java.nio.file.Files::isDirectory).findFirst().orElseThrow();
        }
        org.assertj.core.api.Assertions.assertThat(dir.resolve("database.dump")).isNotEmptyFile();
        org.assertj.core.api.Assertions.assertThat(dir.resolve("tables.json")).doesNotExist();
    }

    /**
     * A run killed inside its switch leaves live refusing connections, marked as Promoter's: every application is
     * locked out. The next run, once it holds the lock, lets them in again, then promotes.
     */
    @org.junit.jupiter.api.Test
    void aRunLetsConnectionsInThatADeadRunsSwitchLeftRefused() throws Exception {
        installOldestWithData();
        var before = checksums(name);
        // what PostgresAtomicSwitch leaves when the process dies between the hold-off and the renames
        adminExec("postgres", "ALTER DATABASE " + name + " SET promoter.connections_from = 'true'");
        adminExec("postgres", "ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
        CliRun status = CliRun.run(env(), "status", "--url", url, "--user", admin().user());
        org.assertj.core.api.Assertions.assertThat(status.out()).as(status.all()).contains("storage-server 1.0.0");

        CliRun r = CliRun.run(env(), args("--verify", "--skip-backup"));

        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(r.out()).contains("let connections into database \"" + name
                + "\" again: a run that died inside its switch or its template copy had left them refused", "PROMOTED");
        String archive = server.list(name + "_archive_").get(0);
        org.assertj.core.api.Assertions.assertThat(checksums(archive)).isEqualTo(before);
        try (java.sql.Connection c = dev.promoter.core.db.Connections.open(server.database("postgres"));
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT string_agg(d.datname || ' ' || d.datallowconn || ' ' "
                     + "|| coalesce(array_to_string(s.setconfig, ','), ''), '; ' ORDER BY d.datname) FROM pg_database d "
                     + "LEFT JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0 "
                     + "WHERE d.datname IN ('" + name + "', '" + archive + "')")) {
            rs.next();
            // the archive keeps the write freeze (read-only, with its mark), and neither keeps the hold-off's mark
            org.assertj.core.api.Assertions.assertThat(rs.getString(1)).isEqualTo(name + " true ; " + archive
                    + " true promoter.frozen_from=none,default_transaction_read_only=on");
        }
    }

    /**
     * SIGTERM while the template strategy's file copy has live refusing connections (the copy waits on a lock the
     * test holds on the database): the run stops at once, and live takes connections again, unchanged.
     */
    @org.junit.jupiter.api.Test
    void anInterruptedTemplateCopyLeavesLiveTakingConnections() throws Exception {
        installOldestWithData();
        var before = checksums(name);
        java.nio.file.Path log = tmp.resolve("template.log");
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%'";
        try (java.sql.Connection lock = dev.promoter.core.db.Connections.open(server.database("postgres"));
             java.sql.Statement st = lock.createStatement();
             java.sql.Connection probe = dev.promoter.core.db.Connections.open(server.database("postgres"));
             java.sql.Statement look = probe.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("COMMENT ON DATABASE " + name + " IS 'held by the test'");
            Process p = startCli(log, () -> {
                try (java.sql.ResultSet rs = look.executeQuery(waiting)) { // autocommit: fresh activity each time
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            }, args("--verify", "--skip-backup", "--clone-strategy", "template"));
            p.destroy(); // SIGTERM
            org.assertj.core.api.Assertions.assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .as(java.nio.file.Files.readString(log)).isTrue();
            String out = java.nio.file.Files.readString(log);
            org.assertj.core.api.Assertions.assertThat(p.exitValue()).as(out).isEqualTo(128 + 15);
            org.assertj.core.api.Assertions.assertThat(out).contains("Run stopped: interrupted (Ctrl-C or SIGTERM)");
            System.out.println("template copy interrupted:\n" + out);
            lock.rollback();
        }
        // connections are let in again and live is as it was
        org.assertj.core.api.Assertions.assertThat(checksums(name)).isEqualTo(before);
        dev.promoter.core.db.Connections.jdbi(spec()).useHandle(h -> h.execute(
                "INSERT INTO audit_log (volume_id, action, at) VALUES (1, 'after the stop', CURRENT_TIMESTAMP)"));
        CliRun again = CliRun.run(env(), args("--verify", "--skip-backup", "--clone-strategy", "template"));
        org.assertj.core.api.Assertions.assertThat(again.exit()).as(again.all()).isZero();
        org.assertj.core.api.Assertions.assertThat(again.out()).contains("PROMOTED")
                .doesNotContain("let connections into database");
    }

    /** Runs {@code sql} as the admin in database {@code db}. */
    private void adminExec(String db, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = dev.promoter.core.db.Connections.open(new ConnectionSpec(urlOf(db), admin().user(),
                admin().password())); java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * The README's privileges for a non-superuser: live's owner with CREATEDB and three grants runs the whole
     * pipeline; with one of them missing, preflight refuses with that grant before anything is made.
     */
    @org.junit.jupiter.api.Test
    void liveOwnerWithoutSuperuserPromotesWithTheGrantsTheReadmeLists() throws Exception {
        String owner = TestServers.uniqueName("promoter_owner");
        String ledgerTables = "promoter_database, promoter_run, promoter_stage, promoter_script, promoter_checkpoint, "
                + "promoter_snapshot, promoter_lock";
        dev.promoter.core.ledger.Ledger.open(dev.promoter.core.db.Connections.jdbi(server.ledger()), java.time.Clock.systemUTC());
        adminExec("postgres", "CREATE ROLE " + owner + " LOGIN CREATEDB");
        int major;
        try (java.sql.Connection c = dev.promoter.core.db.Connections.open(spec())) {
            major = c.getMetaData().getDatabaseMajorVersion();
        }
        try {
            adminExec("postgres", "ALTER DATABASE " + name + " OWNER TO " + owner + "; GRANT pg_signal_backend TO " + owner);
            adminExec("promoter_ledger", "GRANT SELECT, INSERT, UPDATE, DELETE ON " + ledgerTables + " TO " + owner);
            ConnectionSpec asOwner = new ConnectionSpec(url, owner, dev.promoter.core.db.Secret.none());
            CliRun install = CliRun.run(Map.of(), "install", "--to", "1.0.0", "--url", url, "--user", owner, "--sql",
                    sql.toString());
            org.assertj.core.api.Assertions.assertThat(install.exit()).as(install.all()).isZero();
            new SampleData(dialect, 1).populate(asOwner);
            var before = checksums(name);
            String[] run = {"--verify", "--url", url, "--user", owner, "--sql", sql.toString(),
                    "--report-dir", tmp.resolve("reports").toString(), "--backup-dir", tmp.resolve("backups").toString()};
            if (major >= 15) {
                // one grant missing: refused in preflight, before a staging database or anything else is made
                CliRun refused = CliRun.run(Map.of(), run);
                org.assertj.core.api.Assertions.assertThat(refused.exit()).as(refused.all()).isEqualTo(3);
                org.assertj.core.api.Assertions.assertThat(refused.out()).contains("preflight REFUSED",
                        "GRANT SET ON PARAMETER promoter.frozen_from TO " + owner, "Nothing was copied");
                org.assertj.core.api.Assertions.assertThat(server.list(name + "_")).isEmpty();
                org.assertj.core.api.Assertions.assertThat(checksums(name)).isEqualTo(before);
                adminExec("postgres", "GRANT SET ON PARAMETER promoter.frozen_from TO " + owner);
            }
            CliRun r = CliRun.run(Map.of(), run);
            org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
            org.assertj.core.api.Assertions.assertThat(r.out()).contains("PROMOTED", "writes frozen since the snapshot");
            var after = checksums(name);
            org.assertj.core.api.Assertions.assertThat(after.get("audit_log")).isEqualTo(before.get("audit_log"));
            org.assertj.core.api.Assertions.assertThat(checksums(server.list(name + "_archive_").get(0))).isEqualTo(before);
        } finally {
            dropAll();
            adminExec("promoter_ledger", "REVOKE ALL ON " + ledgerTables + " FROM " + owner);
            if (major >= 15) {
                adminExec("postgres", "REVOKE SET ON PARAMETER promoter.frozen_from FROM " + owner);
            }
            adminExec("postgres", "DROP ROLE " + owner);
        }
    }

    /** Row count and checksum of one table of database {@code db}. */
    private dev.promoter.core.spi.TableChecksum checksum(String db, String schema, String table) {
        return dev.promoter.core.db.Connections.jdbi(new ConnectionSpec(urlOf(db), admin().user(), admin().password()))
                .withHandle(h -> dialect.introspector().checksum(h, new dev.promoter.core.spi.TableRef(schema, table)));
    }

    private void liveWithNamesakes() throws java.sql.SQLException {
        installOldestWithData();
        adminExec(name, "CREATE SCHEMA archive; CREATE TABLE archive.audit_log AS SELECT * FROM public.audit_log; "
                + "CREATE TABLE \"Audit_Log\" (id int PRIMARY KEY, note text); "
                + "INSERT INTO \"Audit_Log\" SELECT g, 'n' || g FROM generate_series(1, 3) g; "
                + "CREATE TABLE archive.um_tenant (id int PRIMARY KEY); INSERT INTO archive.um_tenant VALUES (1), (2)");
    }

    /**
     * public.audit_log, archive.audit_log and "Audit_Log" are three tables: each is checked against its own copy in
     * staging, under a name of its own. archive.um_tenant is not the um_tenant the path creates (in public), so
     * preflight lets the run go on. Before, tables were matched by their name in lower case: the three were
     * compared with one staging table (false failures), and archive.um_tenant was refused as pre-created.
     */
    @org.junit.jupiter.api.Test
    void tablesOfOneNameInTwoSchemasOrTwoCasesAreEachCheckedAgainstTheirOwnCopy() throws Exception {
        liveWithNamesakes();
        var archived = checksum(name, "archive", "audit_log");
        var mixed = checksum(name, "public", "Audit_Log");
        var plain = checksum(name, "public", "audit_log");
        org.assertj.core.api.Assertions.assertThat(archived).isEqualTo(plain);
        CliRun r = CliRun.run(env(), args("--verify", "--allow-drift", "--skip-backup"));
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.all()).isZero();
        var checkpoints = reportCheckpoints();
        for (String t : java.util.List.of("public.audit_log", "archive.audit_log", "public.Audit_Log")) {
            var c = checkpoints.get("content of " + t + " unchanged");
            org.assertj.core.api.Assertions.assertThat(c == null ? "absent" : c.get("status").asText())
                    .as(t + " in " + checkpoints.keySet()).isEqualTo("PASS");
        }
        org.assertj.core.api.Assertions.assertThat(checkpoints.get("rows of public.Audit_Log carried").get("actual").asText())
                .isEqualTo("3");
        org.assertj.core.api.Assertions.assertThat(checkpoints).containsKeys("rows of archive.um_tenant carried",
                "new table um_tenant exists").doesNotContainKey("content of audit_log unchanged");
        org.assertj.core.api.Assertions.assertThat(checkpoints.keySet()).noneMatch(n -> n.contains("is declared"));
        org.assertj.core.api.Assertions.assertThat(checksum(name, "archive", "audit_log")).isEqualTo(archived);
        org.assertj.core.api.Assertions.assertThat(checksum(name, "public", "Audit_Log")).isEqualTo(mixed);
        org.assertj.core.api.Assertions.assertThat(checksum(name, "public", "audit_log")).isEqualTo(plain);
        org.assertj.core.api.Assertions.assertThat(checksum(name, "archive", "um_tenant").rows()).isEqualTo(2);
    }

    /**
     * A script drops archive.audit_log, which has the same rows as public.audit_log. Matched by name, the lost table
     * was "carried" (public's copy has its count); matched by schema and name, it is missing, and the run refuses.
     */
    @org.junit.jupiter.api.Test
    void aTableLostFromOneSchemaIsNotCoveredByItsNamesakeInAnother() throws Exception {
        liveWithNamesakes();
        java.nio.file.Files.writeString(v110("30_drop_archive.sql"), "DROP TABLE archive.audit_log;\n");
        var before = checksums(name);
        var checkpoints = refusedCheckpoints(before);
        var lost = failed(checkpoints, "rows of archive.audit_log carried");
        org.assertj.core.api.Assertions.assertThat(lost.get("actual").asText()).isEqualTo("table missing");
        org.assertj.core.api.Assertions.assertThat(lost.get("detail").asText()).contains("archive.audit_log: drop");
        org.assertj.core.api.Assertions.assertThat(checksum(name, "archive", "audit_log").rows()).isPositive();
        // the script cannot run on an empty database (no schema archive): the fresh install to compare with failed,
        // which is that checkpoint's finding, named with the script and the database it ran on
        var fresh = failed(checkpoints, "schema equals a fresh install");
        org.assertj.core.api.Assertions.assertThat(fresh.get("actual").asText()).isEqualTo("fresh install failed");
        org.assertj.core.api.Assertions.assertThat(fresh.get("detail").asText()).contains("30_drop_archive.sql",
                "the scratch database", "schema \"archive\" does not exist", "IF EXISTS");
    }

    /**
     * A service killed in a run leaves live frozen until that job's window opens again; at start it lifts what a dead
     * run left on each job's live (no run holds the lock), even outside the window, and starts no run.
     */
    @org.junit.jupiter.api.Test
    void aServiceLiftsAtItsStartTheFreezeADeadRunLeftOnAJobsLive() throws Exception {
        installOldestWithData();
        // what a run killed while writes were frozen leaves (PostgresWriteFreeze: its mark, then the setting)
        adminExec("postgres", "ALTER DATABASE \"" + name + "\" SET promoter.frozen_from = 'none'");
        adminExec("postgres", "ALTER DATABASE \"" + name + "\" SET default_transaction_read_only = on");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> adminExec(name, "INSERT INTO kv_pair (name) VALUES ('x')"))
                .hasMessageContaining("read-only");
        java.nio.file.Path yaml = tmp.resolve("jobs.yaml");
        java.nio.file.Files.writeString(yaml, "report_dir: " + tmp.resolve("reports") + "\njobs:\n  - name: nightly\n"
                + "    url: " + url + "\n    user: " + admin().user() + "\n    product: storage-server\n    sql: " + sql
                + "\n    to: newest\n    verify: true\n    window:\n      cron: \"0 2 * * SUN\"\n      within: 1h\n"
                + "      time_zone: UTC\n");
        var jobs = new dev.promoter.service.JobsFileReader(env(), java.time.ZoneOffset.UTC).read(yaml);
        var said = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        dev.promoter.core.pipeline.RunListener log = new dev.promoter.core.pipeline.RunListener() {
            @Override
            public void message(String text) {
                said.add(text);
            }
        };
        java.time.Clock monday = java.time.Clock.fixed(java.time.Instant.parse("2026-11-23T12:00:00Z"), java.time.ZoneOffset.UTC);
        try (var service = new dev.promoter.service.Service(jobs, dev.promoter.core.spi.Dialects.load(), monday,
                new dev.promoter.service.StopSignal(), (r, d) -> { }, null, j -> log).start(java.time.Duration.ofHours(1))) {
            org.assertj.core.api.Assertions.assertThat(service.history().all()).isEmpty();
        }
        org.assertj.core.api.Assertions.assertThat(String.join("\n", said)).contains("[nightly] at start: lifted the write "
                + "freeze a dead run left on database \"" + name + "\"");
        adminExec(name, "INSERT INTO kv_pair (name) VALUES ('writable again')");
        org.assertj.core.api.Assertions.assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out())
                .doesNotContain("LIVE:");
    }
}
