package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole pipeline through the CLI on a real server, per dialect: promotion of the sample product,
 * refusals leaving live untouched, a concurrent writer losing nothing, the lock of a killed run expiring,
 * backup and restore. Each test uses its own uniquely named databases and drops them.
 */
abstract class ServerPipelineContract {
    @TempDir
    Path tmp;

    protected Dialect dialect;
    protected DatabaseServer server;
    protected String name;
    protected String url;
    protected Path sql;

    /** Admin connection spec of the server. */
    protected abstract ConnectionSpec admin();

    protected abstract DialectName dialectName();

    /** JDBC URL of database {@code db} on the test server: the admin URL with its database path replaced. */
    protected String urlOf(String db) {
        String base = admin().url();
        int q = base.indexOf('?');
        String params = q < 0 ? "" : base.substring(q);
        String noParams = q < 0 ? base : base.substring(0, q);
        return noParams.substring(0, noParams.lastIndexOf('/') + 1) + db + params;
    }

    /** A URL of the other server dialect, for the cross-dialect refusal. */
    protected abstract String foreignStagingUrl();

    /** A script that changes audit_log row 7 without naming the table literally (so it counts as untouched). */
    protected abstract String sneakyCorruptionScript();

    /** A statement that sleeps for {@code seconds} on the server. */
    protected abstract String sleepStatement(int seconds);

    /** A script that deletes workflow execution 1 while its tasks still point at it. */
    protected abstract String orphaningScript();

    /** Edits 1.10.0's move script so the new tables' key counters stay behind; false where that cannot happen. */
    protected abstract boolean leaveCountersBehind(Path moveScript) throws java.io.IOException;

    @BeforeEach
    void createLive() {
        dialect = Dialects.load().get(dialectName());
        name = TestServers.uniqueName("pl");
        url = urlOf(name);
        server = dialect.server(spec());
        server.create(name);
        sql = tmp.resolve("sql");
        H2Live.copyTree(H2Live.repoSql(), sql);
    }

    @AfterEach
    void dropAll() {
        for (String db : server.list(name + "_")) {
            try {
                server.drop(db);
            } catch (RuntimeException e) {
                System.err.println("could not drop " + db + ": " + e.getMessage());
            }
        }
        try {
            server.drop(name);
        } catch (RuntimeException e) {
            // the live name is refused by design; drop it through a sibling view of the server
            dialect.server(new ConnectionSpec(urlOf(name + "_x"), admin().user(), admin().password())).drop(name);
        }
    }

    protected ConnectionSpec spec() {
        return new ConnectionSpec(url, admin().user(), admin().password());
    }

    protected Map<String, String> env() {
        return admin().password().isEmpty() ? Map.of() : Map.of("PROMOTER_PASSWORD", admin().password().reveal());
    }

    protected String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of(extra));
        a.addAll(List.of("--url", url, "--user", admin().user(), "--sql", sql.toString(), "--report-dir",
                tmp.resolve("reports").toString(), "--backup-dir", tmp.resolve("backups").toString()));
        return a.toArray(String[]::new);
    }

    protected void installOldestWithData() {
        CliRun r = CliRun.run(env(), "install", "--to", "1.0.0", "--url", url, "--user", admin().user(), "--sql",
                sql.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        new SampleData(dialect, 1).populate(spec());
    }

    protected Map<String, TableChecksum> checksums(String db) {
        ConnectionSpec s = new ConnectionSpec(urlOf(db), admin().user(), admin().password());
        return Connections.jdbi(s).withHandle(h -> {
            Map<String, TableChecksum> m = new TreeMap<>();
            for (TableRef t : dialect.introspector().tables(h)) {
                m.put(t.name().toLowerCase(Locale.ROOT), dialect.introspector().checksum(h, t));
            }
            return m;
        });
    }

    @Test
    void promotesTheSampleProductFromOldestToNewest() {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);

        CliRun r = CliRun.run(env(), args("--verify", "--verify-backup"));

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("PROMOTED", "1.0.0 -> 1.10.0", "[PASS] backup restores to the snapshot");
        Map<String, TableChecksum> after = checksums(name);
        assertThat(after).containsKeys("workflow_executions", "task_executions", "action_executions", "um_tenant")
                .doesNotContainKey("executions");
        assertThat(after.get("audit_log")).isEqualTo(before.get("audit_log"));
        assertThat(after.get("storage_volume")).isEqualTo(before.get("storage_volume"));
        assertThat(after.get("kv_pair").rows()).isEqualTo(before.get("kv_pair").rows());
        assertThat(after.get("workflow_executions").rows() + after.get("task_executions").rows()
                + after.get("action_executions").rows()).isEqualTo(before.get("executions").rows());
        List<String> archives = server.list(name + "_archive_");
        assertThat(archives).hasSize(1);
        assertThat(checksums(archives.get(0))).isEqualTo(before);
        // the archive as `promote archives` lists it; only it may be dropped, never live
        CliRun listed = CliRun.run(env(), "archives", "--url", url, "--user", admin().user());
        assertThat(listed.exit()).as(listed.all()).isZero();
        assertThat(listed.out()).containsPattern(java.util.regex.Pattern.quote(archives.get(0)) + " +1\\.0\\.0 ");
        CliRun notOne = CliRun.run(env(), "archives", "--url", url, "--user", admin().user(), "--drop", name);
        assertThat(notOne.exit()).isEqualTo(3);
        assertThat(notOne.err()).contains("Not an archive of " + name, "they are: " + archives.get(0), "Nothing was dropped");
        assertThat(server.exists(name)).isTrue();
        assertThat(server.exists(archives.get(0))).isTrue();
        // counters carried and restarted: a new row gets a key above every existing one
        Connections.jdbi(spec()).useHandle(h -> {
            long max = h.createQuery("SELECT MAX(id) FROM audit_log").mapTo(Long.class).one();
            h.execute("INSERT INTO audit_log (volume_id, action, at) VALUES (1, 'after', CURRENT_TIMESTAMP)");
            long id = h.createQuery("SELECT MAX(id) FROM audit_log").mapTo(Long.class).one();
            assertThat(id).isGreaterThan(max);
            long wmax = h.createQuery("SELECT MAX(id) FROM workflow_executions").mapTo(Long.class).one();
            h.execute("INSERT INTO workflow_executions (ref, status, started_at) VALUES ('new', 'running', CURRENT_TIMESTAMP)");
            assertThat(h.createQuery("SELECT MAX(id) FROM workflow_executions").mapTo(Long.class).one()).isGreaterThan(wmax);
        });
        assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out()).contains("storage-server 1.10.0");
        Map<String, TableChecksum> live = checksums(name);
        CliRun dropped = CliRun.run(env(), "archives", "--url", url, "--user", admin().user(), "--drop", archives.get(0));
        assertThat(dropped.exit()).as(dropped.all()).isZero();
        assertThat(dropped.out()).contains("DROPPED", archives.get(0));
        assertThat(server.exists(archives.get(0))).isFalse();
        assertThat(checksums(name)).isEqualTo(live);
        assertThat(CliRun.run(env(), "archives", "--url", url, "--user", admin().user()).out()).contains("no archives");
        // live's own history, which a run checks the ledger against, is readable on this server
        try (Connection c = Connections.open(spec())) {
            assertThat(dev.promoter.core.migrate.LiquibaseMigrator.history(c))
                    .contains("1.0.0/migration.sql", "1.2.0/migration.sql", "1.10.0/migration.sql");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A script that fails on live's data (it copies audit_log's rows onto their own keys): the run fails in migrate
     * naming the script, live keeps its rows and version, nothing is switched and no scratch database is left.
     */
    @Test
    void aScriptThatFailsOnLivesDataLeavesLiveAsItWasAndNoScratchDatabase() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        Files.writeString(v110("45_duplicate.sql"), "INSERT INTO audit_log SELECT * FROM audit_log;\n");

        CliRun r = CliRun.run(env(), args("--verify", "--skip-backup"));

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains("Unable to run migration script storage-server/1.10.0/" + dialect.name().id()
                + "/45_duplicate.sql on staging");
        assertThat(checksums(name)).isEqualTo(before);
        assertThat(server.list(name + "_pf_")).as("scratch databases").isEmpty();
        assertThat(server.list(name + "_archive_")).isEmpty();
        assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out()).contains("storage-server 1.0.0");
    }

    /**
     * SIGTERM (what Ctrl-C does too) to a run whose migration is in a long statement, with live frozen: the
     * statement is cut off at once, the freeze is lifted, the run is recorded as stopped, the lock is freed, and the
     * next run promotes at once.
     */
    @Test
    void anInterruptedRunStopsAtOnceLiftsTheFreezeAndFreesTheLock() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        Files.writeString(v110("45_slow.sql"), "-- long enough that only cutting it off ends the run in time\n"
                + sleepStatement(300) + ";\n");
        Path log = tmp.resolve("interrupted.log");
        Process p = inSlowScript(log, args("--verify", "--skip-backup"));
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended long before its 300 s statement would\n"
                + Files.readString(log)).isTrue();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isEqualTo(128 + 15);
        assertThat(out).contains("promote: interrupted; stopping the run", "Run stopped: interrupted (Ctrl-C or SIGTERM)",
                "The connection to staging was lost while it ran").doesNotContain("Fix the script");
        System.out.println("interrupted run ended " + ms + " ms after SIGTERM:\n" + out);

        // live is as it was, and takes writes again
        assertThat(checksums(name)).isEqualTo(before);
        Connections.jdbi(spec()).useHandle(h ->
                h.execute("INSERT INTO audit_log (volume_id, action, at) VALUES (1, 'after the stop', CURRENT_TIMESTAMP)"));
        String history = CliRun.run(env(), "history", "--url", url, "--user", admin().user(), "--json").out();
        assertThat(history).as(out).contains("Run stopped: interrupted (Ctrl-C or SIGTERM)");
        assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out()).contains("storage-server 1.0.0");

        // the lock is free and the stopped run's staging is ours to drop: the next run promotes now
        Files.delete(v110("45_slow.sql"));
        CliRun again = CliRun.run(env(), args("--verify", "--skip-backup"));
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("PROMOTED");
    }

    /**
     * SIGTERM to {@code serve --once} whose run is in a long migration statement: the run does not reach a stage
     * start within {@code --stop-grace}, so its work is cut off; it stops, lifts the freeze and frees the lock.
     */
    @Test
    void aServedRunStillInAStageAfterTheStopGraceIsCutOff() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        Files.writeString(v110("45_slow.sql"), sleepStatement(300) + ";\n");
        Path jobs = tmp.resolve("jobs.yaml");
        Files.writeString(jobs, "report_dir: " + tmp.resolve("reports") + "\nbackup_dir: " + tmp.resolve("backups")
                + "\njobs:\n  - name: nightly\n    url: " + url + "\n    user: " + admin().user()
                + "\n    product: storage-server\n    sql: " + sql + "\n    to: newest\n    verify: true\n    skip_backup: true"
                + "\n    window:\n      cron: \"* * * * *\"\n      within: 1h\n      time_zone: UTC"
                + "\n    traffic:\n      enabled: false\n");
        Path log = tmp.resolve("serve.log");
        Process p = inSlowScript(log, "serve", "--jobs", jobs.toString(), "--once", "nightly", "--stop-grace", "2");
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        String out = Files.readString(log);
        assertThat(out).contains("the run was still going after --stop-grace 2 s; cutting off its work");
        assertThat(CliRun.run(env(), "history", "--url", url, "--user", admin().user(), "--json").out()).as(out)
                .contains("Run stopped: the service is stopping (SIGTERM)");
        assertThat(checksums(name)).isEqualTo(before);
        Connections.jdbi(spec()).useHandle(h ->
                h.execute("INSERT INTO audit_log (volume_id, action, at) VALUES (1, 'after the stop', CURRENT_TIMESTAMP)"));
        assertThat(CliRun.run(env(), "status", "--url", url, "--user", admin().user()).out()).contains("storage-server 1.0.0");
        Files.delete(v110("45_slow.sql"));
        CliRun again = CliRun.run(env(), args("--verify", "--skip-backup"));
        assertThat(again.exit()).as(again.all()).isZero();
    }

    /** Starts the CLI in a child JVM with {@code args} and returns once its run is inside the script 45_slow.sql. */
    private Process inSlowScript(Path log, String... args) throws Exception {
        Process p = startCli(log, () -> Files.readString(log).contains("45_slow.sql"), args);
        Thread.sleep(500); // into its statement
        return p;
    }

    /** A condition a test waits for, which may read files. */
    protected interface Ready {
        boolean now() throws Exception;
    }

    /** Starts the CLI in a child JVM with {@code args} (output to {@code log}) and returns once {@code ready}. */
    protected Process startCli(Path log, Ready ready, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.promoter.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (p.isAlive() && System.nanoTime() < deadline && !ready.now()) {
            Thread.sleep(20);
        }
        assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
        return p;
    }

    @Test
    void rollbackAndCrossDialectAreRefusedWithLiveUntouched() {
        installOldestWithData();
        CliRun up = CliRun.run(env(), args("--verify", "--to", "1.2.0", "--skip-backup"));
        assertThat(up.exit()).as(up.all()).isZero();
        Map<String, TableChecksum> before = checksums(name);

        CliRun rollback = CliRun.run(env(), args("--verify", "--to", "1.1.0"));
        assertThat(rollback.exit()).isEqualTo(3);
        assertThat(rollback.err()).contains("Rollback is not supported", "1.2.0", "1.1.0");

        String other = dialectName() == DialectName.POSTGRESQL ? "mysql" : "postgresql";
        CliRun byFlag = CliRun.run(env(), args("--verify", "--dialect", other));
        assertThat(byFlag.exit()).isEqualTo(3);
        assertThat(byFlag.err()).contains("Cross-dialect");

        CliRun byStaging = CliRun.run(env(), args("--verify", "--staging-url", foreignStagingUrl()));
        assertThat(byStaging.exit()).isEqualTo(3);
        assertThat(byStaging.err()).contains("Cross-dialect");

        assertThat(checksums(name)).isEqualTo(before);
        assertThat(server.list(name + "_archive_")).hasSize(1);
    }

    @Test
    void aConcurrentWriterLosesNoCommittedRow() throws Exception {
        writerLosesNothing("--verify", "--skip-backup");
    }

    /** Without the freeze the writer keeps writing, so the switch cannot prove live unchanged: it must refuse. */
    @Test
    void aConcurrentWriterWithoutTheFreezeMakesTheSwitchRefuseAndLosesNothing() throws Exception {
        CliRun r = writerLosesNothing("--verify", "--skip-backup", "--allow-writes");
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(server.list(name + "_archive_")).isEmpty();
    }

    /**
     * Without the freeze, DDL committed on live after the snapshot moves no row (CREATE INDEX, a view): staging does
     * not have it, so the switch must refuse rather than drop it. Live keeps the index; nothing is archived.
     */
    @Test
    void aSchemaChangeOnLiveAfterTheSnapshotMakesTheSwitchRefuseAndIsKept() throws Exception {
        installOldestWithData();
        Path hold = Files.createFile(tmp.resolve("hold-the-switch"));
        Path log = tmp.resolve("ddl.log");
        Process p = startCli(log, () -> Files.readString(log).contains("switch postponed"),
                args("--verify", "--skip-backup", "--allow-writes", "--postpone-file", hold.toString()));
        Connections.jdbi(spec()).useHandle(h -> h.execute("CREATE INDEX hotfix_kv_name ON kv_pair (name)"));
        Files.delete(hold);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isEqualTo(3);
        assertThat(out).contains("Refusing to switch").containsAnyOf("schema changed", "definitions of its tables changed");
        assertThat(server.list(name + "_archive_")).isEmpty();
        assertThat(Connections.jdbi(spec()).withHandle(h -> dialect.introspector().schema(h)).objects().toString())
                .containsIgnoringCase("hotfix_kv_name");
    }

    /** Runs the CLI with {@code args} while a writer inserts into live, and checks every committed row is in live after. */
    protected CliRun writerLosesNothing(String... args) throws Exception {
        installOldestWithData();
        ConcurrentLinkedQueue<String> committed = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> write(committed, stop), "test-writer");
        writer.start();
        Thread.sleep(300);
        CliRun r = CliRun.run(env(), args(args));
        Thread.sleep(300);
        stop.set(true);
        writer.join(10_000);

        assertThat(r.exit()).as(r.all()).isIn(0, 3);
        assertThat(committed).as("the writer committed rows during the run").isNotEmpty();
        Set<String> present = Connections.jdbi(spec()).withHandle(h ->
                Set.copyOf(h.createQuery("SELECT name FROM kv_pair WHERE name LIKE 'w-%'").mapTo(String.class).list()));
        List<String> missing = committed.stream().filter(k -> !present.contains(k)).toList();
        String inArchive = server.list(name + "_archive_").stream().map(a -> a + ": " + Connections.jdbi(
                        new ConnectionSpec(urlOf(a), admin().user(), admin().password())).withHandle(h -> h.createQuery(
                        "SELECT name FROM kv_pair WHERE name LIKE 'w-%'").mapTo(String.class).list()).stream()
                .filter(missing::contains).toList()).toList().toString();
        assertThat(missing).as("committed rows missing from live after the run (exit " + r.exit() + "): " + missing
                + " of " + committed.size() + "; of those, in the archive: " + inArchive + "\n" + r.all()).isEmpty();
        return r;
    }

    private void write(ConcurrentLinkedQueue<String> committed, AtomicBoolean stop) {
        int n = 0;
        while (!stop.get()) {
            try (Connection c = Connections.open(spec());
                 PreparedStatement ps = c.prepareStatement("INSERT INTO kv_pair (name, expire_at) VALUES (?, NULL)")) {
                c.setAutoCommit(true);
                while (!stop.get()) {
                    String key = "w-" + (++n);
                    ps.setString(1, key);
                    ps.executeUpdate();
                    committed.add(key);
                    Thread.sleep(5);
                }
            } catch (SQLException e) {
                sleepQuietly(50); // refused by the freeze or the switch: try again on a new connection
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Test
    void theLockOfAKilledRunExpires() throws Exception {
        installOldestWithData();
        Path hold = Files.createFile(tmp.resolve("hold-the-switch"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.promoter.cli.Main"));
        cmd.addAll(List.of(args("--verify", "--skip-backup", "--lock-ttl", "4", "--postpone-file", hold.toString())));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile());
        pb.environment().putAll(env());
        Process child = pb.start();
        try {
            long deadline = System.currentTimeMillis() + 120_000;
            while (!Files.readString(tmp.resolve("child.log")).contains("switch postponed")) {
                assertThat(child.isAlive()).as(Files.readString(tmp.resolve("child.log"))).isTrue();
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(200);
            }
            CliRun second = CliRun.run(env(), args("--verify", "--skip-backup"));
            assertThat(second.exit()).isEqualTo(3);
            assertThat(second.err()).contains("promotion lock", "is held by run");
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Thread.sleep(5_000); // the dead run's lease (4 s) runs out
        // a run that stops before the clone (nothing to do) must still leave live writable after the dead run
        CliRun refused = CliRun.run(env(), args("--verify", "--skip-backup", "--to", "1.0.0"));
        assertThat(refused.exit()).as(refused.all()).isZero();
        Connections.jdbi(spec()).useHandle(h -> h.execute("INSERT INTO kv_pair (name) VALUES ('writable again')"));
        CliRun third = CliRun.run(env(), args("--verify", "--skip-backup"));
        assertThat(third.exit()).as(third.all()).isZero();
        assertThat(third.out()).contains("PROMOTED");
        assertThat(CliRun.run(env(), "history", "--url", url, "--user", admin().user()).out()).contains("ABANDONED");
    }

    /**
     * A run killed with SIGKILL in a script leaves what outlives it (PostgreSQL: live read-only under the write freeze).
     * While it is alive, recover is refused and status says it is running; once its lease ran out, status shows what
     * it left and the command that lifts it, and recover lifts it without starting an upgrade.
     */
    @Test
    void aKilledRunsLeftoversAreShownByStatusAndLiftedByRecover() throws Exception {
        installOldestWithData();
        Files.writeString(v110("45_slow.sql"), sleepStatement(300) + ";\n");
        Path log = tmp.resolve("killed.log");
        Process p = inSlowScript(log, args("--verify", "--skip-backup", "--lock-ttl", "4"));
        String[] live = {"--url", url, "--user", admin().user()};
        try {
            CliRun refused = CliRun.run(env(), concat("recover", live));
            assertThat(refused.exit()).as(refused.all()).isEqualTo(3);
            assertThat(refused.err()).contains("promotion lock", "is held by run");
            assertThat(CliRun.run(env(), concat("status", live)).out()).contains("not ended: running (it holds the lock)");
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Thread.sleep(5_000); // its lease (4 s) runs out
        CliRun status = CliRun.run(env(), concat("status", live));
        assertThat(status.exit()).as(status.all()).isZero();
        assertThat(status.out()).contains("not ended: its process died", "lease expired");
        boolean frozen = dialectName() == DialectName.POSTGRESQL;
        if (frozen) {
            assertThat(status.out()).contains("LIVE:     writes frozen", "`promote recover`");
            assertThat(CliRun.run(env(), concat("status", concat("--json", live))).out())
                    .contains("\"needsRecovery\" : true", "default_transaction_read_only = on");
            assertThatThrownBy(() -> Connections.jdbi(spec()).useHandle(h ->
                    h.execute("INSERT INTO kv_pair (name) VALUES ('while frozen')"))).hasMessageContaining("read-only");
        }
        assertThat(server.exists(name + "_promoter_staging")).as("the dead run's half-built staging").isTrue();
        CliRun recover = CliRun.run(env(), concat("recover", live));
        assertThat(recover.exit()).as(recover.all()).isZero();
        assertThat(recover.out()).contains("Recorded 1 run(s) that never ended as ABANDONED",
                        "Dropped " + name + "_promoter_staging, the staging database such a run had begun")
                .contains(frozen ? "Lifted the write freeze a dead run left" : "carries nothing a run left");
        assertThat(server.exists(name + "_promoter_staging")).isFalse();
        Connections.jdbi(spec()).useHandle(h -> h.execute("INSERT INTO kv_pair (name) VALUES ('writable again')"));
        String after = CliRun.run(env(), concat("status", live)).out();
        assertThat(after).contains("ABANDONED").doesNotContain("LIVE:", "not ended");
        assertThat(CliRun.run(env(), concat("recover", live)).out()).contains("nothing to lift");
    }

    private static String[] concat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @Test
    void aLongOpenTransactionOnLiveIsRefusedInPreflight() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        try (Connection c = Connections.open(spec())) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.executeUpdate("UPDATE kv_pair SET expire_at = NULL WHERE id = 1");
            }
            Thread.sleep(2500);
            CliRun r = CliRun.run(env(), args("--verify", "--skip-backup", "--max-transaction-age", "1"));
            assertThat(r.exit()).as(r.all()).isEqualTo(3);
            assertThat(r.err()).contains("too busy", "--max-transaction-age 1");
            c.rollback();
        }
        assertThat(checksums(name)).isEqualTo(before);
        assertThat(server.list(name + "_archive_")).isEmpty();
    }

    @Test
    void backupThenRestoreGivesEqualChecksums() {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        CliRun b = CliRun.run(env(), "backup", "--url", url, "--user", admin().user(), "--backup-dir",
                tmp.resolve("bk").toString());
        assertThat(b.exit()).as(b.all()).isZero();
        Path dir;
        try (var s = Files.list(tmp.resolve("bk"))) {
            dir = s.findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String restored = name + "_restored";
        CliRun r = CliRun.run(env(), "restore", "--backup", dir.toString(), "--url", urlOf(restored), "--user",
                admin().user());
        assertThat(r.exit()).as(r.all()).isZero();
        Map<String, TableChecksum> after = checksums(restored);
        after.remove("databasechangelog");
        after.remove("databasechangeloglock");
        Map<String, TableChecksum> expected = new TreeMap<>(before);
        expected.remove("databasechangelog");
        expected.remove("databasechangeloglock");
        assertThat(after).isEqualTo(expected);
    }

    // ---- each checkpoint kind fails on a purpose-built bad migration: exit 3, no switch, live unchanged ----

    protected Path v110(String file) {
        return sql.resolve("storage-server/1.10.0/" + dialectName().id() + "/" + file);
    }

    /** Each checkpoint of the run's report by name, from the report.json under the test's report folder. */
    protected java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> reportCheckpoints() throws java.io.IOException {
        try (var reports = java.nio.file.Files.walk(tmp.resolve("reports"))) {
            java.nio.file.Path report = reports.filter(p -> p.getFileName().toString().equals("report.json")).findFirst()
                    .orElseThrow();
            var out = new java.util.TreeMap<String, com.fasterxml.jackson.databind.JsonNode>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile()).get("checkpoints")
                    .forEach(c -> out.put(c.get("name").asText(), c));
            return out;
        }
    }

    protected com.fasterxml.jackson.databind.JsonNode refusedCheckpoints(Map<String, TableChecksum> before) throws Exception {
        CliRun r = CliRun.run(env(), args("--verify", "--skip-backup"));
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.err()).contains("checkpoint(s) failed", "live is unchanged");
        assertThat(checksums(name)).as("live untouched").isEqualTo(before);
        assertThat(server.exists(name + "_promoter_staging")).as("staging kept").isTrue();
        assertThat(server.list(name + "_archive_")).isEmpty();
        try (var reports = Files.walk(tmp.resolve("reports"))) {
            Path report = reports.filter(p -> p.getFileName().toString().equals("report.json")).findFirst().orElseThrow();
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile()).get("checkpoints");
        }
    }

    protected static com.fasterxml.jackson.databind.JsonNode failed(com.fasterxml.jackson.databind.JsonNode all, String part) {
        for (var c : all) {
            if (c.get("status").asText().equals("FAIL") && c.get("name").asText().contains(part)) {
                return c;
            }
        }
        throw new AssertionError("no failed checkpoint *" + part + "* in " + all);
    }

    @Test
    void checkpointsCatchAForgottenTableLostRowsAndACorruptedUntouchedTable() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        Path yaml = sql.resolve("storage-server/1.10.0/checkpoints.yaml");
        Files.writeString(yaml, Files.readString(yaml).replace("action_executions]", "action_executions, execution_log]"));
        Files.writeString(v110("30_cleanup.sql"), "-- an over-eager cleanup\nDELETE FROM kv_pair WHERE MOD(id, 10) = 0;\n");
        Files.writeString(v110("40_sneaky.sql"), sneakyCorruptionScript());
        var checkpoints = refusedCheckpoints(before);
        assertThat(failed(checkpoints, "new table execution_log exists").get("actual").asText()).isEqualTo("missing");
        var rows = failed(checkpoints, "rows of kv_pair carried");
        assertThat(rows.get("expected").asText()).isEqualTo("2000");
        assertThat(rows.get("actual").asText()).isEqualTo("1800");
        var sum = failed(checkpoints, "content of audit_log unchanged");
        assertThat(sum.get("expected").asText()).isNotEqualTo(sum.get("actual").asText());
    }

    @Test
    void checkpointsCatchABrokenForeignKeyAndCountersLeftBehind() throws Exception {
        installOldestWithData();
        Map<String, TableChecksum> before = checksums(name);
        Files.writeString(v110("30_orphans.sql"), orphaningScript());
        boolean counters = leaveCountersBehind(v110("10_move_executions.sql"));
        var checkpoints = refusedCheckpoints(before);
        assertThat(failed(checkpoints, "foreign keys valid").get("actual").asText())
                .containsIgnoringCase("task_executions").contains("orphan");
        if (counters) {
            assertThat(failed(checkpoints, "key counters ahead of max keys").get("actual").asText())
                    .containsIgnoringCase("workflow_executions");
        }
    }

    @Test
    void checkpointsCatchDriftFromAFreshInstall() throws Exception {
        installOldestWithData();
        Connections.jdbi(spec()).useHandle(h -> h.execute("CREATE INDEX hotfix_kv_expire ON kv_pair (expire_at)"));
        Map<String, TableChecksum> before = checksums(name);
        var c = failed(refusedCheckpoints(before), "schema equals a fresh install");
        assertThat(c.get("detail").asText()).containsIgnoringCase("hotfix_kv_expire");
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
