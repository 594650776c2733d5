package dev.promoter.cli;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleListenerTest {
    private final StringWriter text = new StringWriter();
    private final ConsoleListener console = new ConsoleListener(new PrintWriter(text), true);

    private static List<CheckpointResult> perTable(int tables) {
        List<CheckpointResult> out = new ArrayList<>();
        for (int i = 1; i <= tables; i++) {
            out.add(CheckpointResult.pass("rows of t" + i + " carried", "row-count", "1", "1", 0));
            out.add(CheckpointResult.pass("content of t" + i + " unchanged", "checksum", "1 rows", "1 rows", 0));
        }
        return out;
    }

    @Test
    void thousandsOfPassingPerTableChecksAreCountedAndEveryOtherResultIsListed() {
        List<CheckpointResult> results = new ArrayList<>(perTable(3000));
        results.add(CheckpointResult.fail("content of t7 unchanged", "checksum", "1 rows", "2 rows", "differs", 0));
        results.add(new CheckpointResult("schema equals a fresh install of 1.1.0", "schema", CheckpointResult.Status.WARN,
                "identical", "1 difference(s)", "", 0));
        results.add(CheckpointResult.pass("foreign keys valid", "foreign-key", "no orphans", "0", 0));

        console.checkpoints(results);

        String out = text.toString();
        assertThat(out).contains("[FAIL] content of t7 unchanged", "- differs", "[WARN] schema equals a fresh install",
                "[PASS] foreign keys valid", "[PASS] 6,000 per-table checks (rows carried for 3,000 tables, contents "
                        + "unchanged for 3,000); each is listed in the reports")
                .doesNotContain("rows of t1 carried", "content of t2 unchanged");
        assertThat(out.lines().count()).isEqualTo(5);
        assertThat(out.indexOf("[FAIL]")).isLessThan(out.indexOf("[WARN]"));
    }

    @Test
    void aFewPassingPerTableChecksAreListedOneByOne() {
        console.checkpoints(perTable(ConsoleListener.PER_TABLE_LINES / 2));
        assertThat(text.toString()).contains("[PASS] rows of t1 carried", "[PASS] content of t20 unchanged")
                .doesNotContain("per-table checks");
    }

    @Test
    void copiedTablesAreListedOneByOneThenEveryHundredth() {
        for (int i = 1; i <= 305; i++) {
            console.tableFinished(new TableRef("public", "t" + i), i, i);
        }
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(ConsoleListener.COPIED_LINES + 1);
        assertThat(lines.get(0)).contains("copied public.t1 ").doesNotContain("tables copied");
        assertThat(lines.get(lines.size() - 1)).contains("public.t300", "(300 tables copied)");
    }
}
