package dev.promoter.core.tree;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.testing.TreeFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointsFileTest {
    @TempDir
    Path dir;

    private Path file(String yaml) {
        return new TreeFiles(dir).write("1.10.0/checkpoints.yaml", yaml);
    }

    private void assertMalformed(String yaml, int line, String... more) {
        Path f = file(yaml);
        assertThatThrownBy(() -> CheckpointsFile.read(f))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("line " + line)
                .hasMessageContainingAll(more);
    }

    @Test
    void readsTheShapeFromTheIssue() {
        CheckpointsFile cf = CheckpointsFile.read(file("""
                new_tables: [workflow_executions, task_executions, action_executions]
                row_count_changes:
                  executions: drop
                  audit_log: any
                  kv_pair: -3
                  um_tenant: "+10"
                checks:
                  - name: every task has its workflow
                    sql: SELECT count(*) FROM task_executions t LEFT JOIN workflow_executions w ON w.id = t.workflow_execution_id WHERE w.id IS NULL
                    expect: 0
                  - name: default tenant
                    sql: SELECT domain_name FROM um_tenant WHERE id = 1
                    expect: carbon.super
                """));

        assertThat(cf.newTables()).containsExactly("workflow_executions", "task_executions", "action_executions");
        assertThat(cf.rowCountChanges()).containsExactlyInAnyOrderEntriesOf(
                Map.of("executions", "drop", "audit_log", "any", "kv_pair", "-3", "um_tenant", "+10"));
        assertThat(cf.checks()).extracting(DeclaredCheck::name)
                .containsExactly("every task has its workflow", "default tenant");
        assertThat(cf.checks().get(0).sql()).startsWith("SELECT count(*) FROM task_executions");
        assertThat(cf.checks().get(0).expect()).isInstanceOf(Number.class).isEqualTo(0);
        assertThat(cf.checks().get(1).expect()).isEqualTo("carbon.super");
    }

    @Test
    void theSampleTreesFilesParse() {
        Path f = TreeFiles.sampleTree().resolve("storage-server/1.10.0/checkpoints.yaml");

        CheckpointsFile cf = CheckpointsFile.read(f);

        assertThat(cf.rowCountChanges()).containsEntry("executions", "drop");
        assertThat(cf.newTables()).contains("workflow_executions");
        assertThat(cf.checks()).hasSize(1);
    }

    @Test
    void anEmptyFileDeclaresNothing() {
        CheckpointsFile cf = CheckpointsFile.read(file("# nothing declared yet\n"));

        assertThat(cf.newTables()).isEmpty();
        assertThat(cf.rowCountChanges()).isEmpty();
        assertThat(cf.checks()).isEmpty();
    }

    @Test
    void rejectsAnUnknownFieldWithFileLineAndField() {
        assertMalformed("""
                new_tables: [a]
                row_count_change:
                  executions: drop
                """, 2, "unknown field \"row_count_change\"", "row_count_changes");
    }

    @Test
    void rejectsAnUnknownFieldInsideACheck() {
        assertMalformed("""
                checks:
                  - name: rows
                    sql: SELECT 1
                    description: one row
                    expect: 1
                """, 4, "field checks[0].description", "unknown field \"description\"");
    }

    @Test
    void aMisspelledSqlIsReportedAsTheMissingSqlOfThatCheck() {
        assertMalformed("""
                new_tables: [a]
                checks:
                  - name: rows
                    query: SELECT 1
                    expect: 1
                """, 3, "field checks[0].sql");
    }

    @Test
    void rejectsACheckWithoutSql() {
        assertMalformed("""
                new_tables: []
                checks:
                  - name: rows
                    expect: 1
                """, 3, "field checks[0].sql");
    }

    @Test
    void rejectsACheckWithBlankSql() {
        assertMalformed("""
                checks:
                  - name: ok
                    sql: SELECT 1
                    expect: 1
                  - name: rows
                    sql: "  "
                    expect: 1
                """, 6, "field checks[1].sql is empty");
    }

    @Test
    void rejectsAChecksWithANullNameOrNoBody() {
        assertMalformed("""
                checks:
                  - name: ~
                    sql: SELECT 1
                    expect: 1
                """, 2, "field checks[0].name is empty");
        assertMalformed("""
                new_tables: []
                checks:
                  - ~
                """, 3, "field checks[0] is empty");
    }

    @Test
    void rejectsABadRowCountChange() {
        assertMalformed("""
                new_tables: [a]
                row_count_changes:
                  executions: dropped
                """, 3, "field row_count_changes.executions", "\"dropped\"", "drop", "any");
    }

    @Test
    void rejectsAWrongType() {
        assertMalformed("""
                new_tables: a_single_table
                """, 1, "field new_tables");
        assertMalformed("""
                new_tables: []
                checks:
                  name: not a list
                """, 2, "field checks");
    }

    @Test
    void rejectsAnExpectThatIsNotAValue() {
        assertMalformed("""
                checks:
                  - name: rows
                    sql: SELECT 1
                    expect: [1, 2]
                """, 4, "field checks[0].expect", "number or a string");
    }

    @Test
    void rejectsYamlThatDoesNotParse() {
        assertMalformed("""
                new_tables: [a, b
                checks: []
                """, 2, "checkpoints.yaml");
    }

    @Test
    void matchesNumbersByValue() {
        assertThat(CheckpointsFile.matches("0", 0)).isTrue();
        assertThat(CheckpointsFile.matches(0, 0L)).isTrue();
        assertThat(CheckpointsFile.matches(0, 0.0d)).isTrue();
        assertThat(CheckpointsFile.matches(0, new BigDecimal("0.000"))).isTrue();
        assertThat(CheckpointsFile.matches(1, "1")).isTrue();
        assertThat(CheckpointsFile.matches(12, 12.5d)).isFalse();
        assertThat(CheckpointsFile.matches(0, 1)).isFalse();
        assertThat(CheckpointsFile.matches(0, null)).isFalse();
    }

    @Test
    void matchesStringsExactly() {
        assertThat(CheckpointsFile.matches("carbon.super", "carbon.super")).isTrue();
        assertThat(CheckpointsFile.matches("carbon.super", "Carbon.super")).isFalse();
        assertThat(CheckpointsFile.matches("carbon.super", "carbon.super ")).isFalse();
        assertThat(CheckpointsFile.matches("0", "zero")).isFalse();
        assertThat(CheckpointsFile.matches(true, Boolean.TRUE)).isTrue();
        assertThat(CheckpointsFile.matches(null, null)).isTrue();
    }
}
