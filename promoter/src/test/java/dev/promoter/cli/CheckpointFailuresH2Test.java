package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TableChecksum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each checkpoint kind shown to fail on a purpose-built bad migration: exit 3, no switch, live
 * unchanged, staging kept, and the report naming the cause.
 */
class CheckpointFailuresH2Test {
    @TempDir
    Path tmp;

    private H2Live live;
    private Map<String, TableChecksum> before;

    private Path v110(String file) {
        return live.sql.resolve("storage-server/1.10.0/h2/" + file);
    }

    private void setUp() {
        live = new H2Live(tmp).installAt("1.0.0");
        before = live.checksums();
    }

    /** Runs with --verify and returns the failing checkpoints' names from report.json. */
    private JsonNode runRefused(String... extra) throws IOException {
        String[] args = new String[extra.length + 1];
        args[0] = "--verify";
        System.arraycopy(extra, 0, args, 1, extra.length);
        CliRun r = CliRun.run(live.runArgs(args));
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.err()).contains("checkpoint(s) failed", "live is unchanged");
        assertThat(live.checksums()).as("live untouched").isEqualTo(before);
        assertThat(Files.exists(tmp.resolve("storage_promoter_staging.mv.db"))).as("staging kept").isTrue();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("storage_archive_"));
        }
        try (Stream<Path> reports = Files.walk(tmp.resolve("reports"))) {
            Path report = reports.filter(p -> p.getFileName().toString().equals("report.json")).findFirst().orElseThrow();
            JsonNode j = new ObjectMapper().readTree(report.toFile());
            assertThat(j.get("result").asText()).isEqualTo("REFUSED");
            return j.get("checkpoints");
        }
    }

    private static JsonNode failed(JsonNode checkpoints, String nameFragment) {
        for (JsonNode c : checkpoints) {
            if (c.get("status").asText().equals("FAIL") && c.get("name").asText().contains(nameFragment)) {
                return c;
            }
        }
        throw new AssertionError("no failed checkpoint named *" + nameFragment + "* in " + checkpoints);
    }

    @Test
    void migrationThatForgetsADeclaredTable() throws Exception {
        setUp();
        Path yaml = live.sql.resolve("storage-server/1.10.0/checkpoints.yaml");
        Files.writeString(yaml, Files.readString(yaml).replace("action_executions]", "action_executions, execution_log]"));
        JsonNode c = failed(runRefused(), "new table execution_log exists");
        assertThat(c.get("actual").asText()).isEqualTo("missing");
    }

    @Test
    void migrationThatLosesRows() throws Exception {
        setUp();
        Files.writeString(v110("30_cleanup.sql"), "-- an over-eager cleanup\nDELETE FROM kv_pair WHERE MOD(id, 10) = 0;\n");
        JsonNode c = failed(runRefused(), "rows of kv_pair carried");
        assertThat(c.get("expected").asText()).isEqualTo("2000");
        assertThat(c.get("actual").asText()).isEqualTo("1800");
    }

    @Test
    void migrationThatCorruptsAValueInAnUntouchedTable() throws Exception {
        setUp();
        // the table is never named literally, so it counts as untouched: only its checksum can catch this
        Files.writeString(v110("30_sneaky.sql"),
                "EXECUTE IMMEDIATE 'UPDATE AUDIT' || '_LOG SET ACTION = ''lost'' WHERE ID = 7';\n");
        JsonNode c = failed(runRefused(), "content of audit_log unchanged");
        assertThat(c.get("expected").asText()).isNotEqualTo(c.get("actual").asText());
    }

    @Test
    void migrationThatLeavesACounterBehindItsMaxKey() throws Exception {
        setUp();
        String move = Files.readString(v110("10_move_executions.sql"));
        Files.writeString(v110("10_move_executions.sql"), move.replaceAll("(?m)^ALTER TABLE .* RESTART WITH .*$", ""));
        JsonNode c = failed(runRefused(), "key counters ahead of max keys");
        assertThat(c.get("actual").asText()).containsIgnoringCase("workflow_executions");
    }

    @Test
    void migrationThatBreaksAForeignKey() throws Exception {
        setUp();
        Files.writeString(v110("30_orphans.sql"), String.join("\n",
                "SET REFERENTIAL_INTEGRITY FALSE;",
                "DELETE FROM workflow_executions WHERE id = 1;",
                "SET REFERENTIAL_INTEGRITY TRUE;", ""));
        JsonNode checkpoints = runRefused();
        JsonNode c = failed(checkpoints, "foreign keys valid");
        assertThat(c.get("actual").asText()).containsIgnoringCase("task_executions").contains("orphan");
    }

    @Test
    void liveThatDriftedFromAFreshInstall() throws Exception {
        setUp();
        // a hot-fix index added by hand in production: the upgraded schema is no longer what the scripts build
        Connections.jdbi(live.dialect.server(live.spec).live())
                .useHandle(h -> h.execute("CREATE INDEX hotfix_kv_expire ON kv_pair (expire_at)"));
        before = live.checksums();
        JsonNode c = failed(runRefused(), "schema equals a fresh install");
        assertThat(c.get("detail").asText()).containsIgnoringCase("hotfix_kv_expire");

        // --allow-drift accepts it as a warning and promotes
        CliRun r = CliRun.run(live.runArgs("--verify", "--allow-drift"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("[WARN] schema equals a fresh install");
    }
}
