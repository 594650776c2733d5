package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.DialectName;
import dev.promoter.testing.TestServers;

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
}
