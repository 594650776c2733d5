package dev.promoter.report;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StageReport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The last guard before a report is written: every text of the report has URL passwords
 * ({@code password=..}, {@code user:pass@}) replaced by {@link ConnectionSpec#redact}, and any occurrence of
 * the run's own passwords (4 characters or more, so a trivial one does not blank out ordinary words)
 * replaced by {@code ********}. The pipeline never puts a password in a message; this catches a driver
 * message that quotes a URL.
 */
public final class ReportRedactor {
    private static final int MIN_MASKED_LENGTH = 4;
    private final List<String> secrets;

    private ReportRedactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Redacts URL passwords and the given secrets. */
    public static ReportRedactor of(Secret... secrets) {
        return new ReportRedactor(java.util.Arrays.stream(secrets).map(Secret::reveal)
                .filter(s -> s.length() >= MIN_MASKED_LENGTH).toList());
    }

    /** Redacts the spec's password and any password written in its URL. */
    public static ReportRedactor of(ConnectionSpec spec) {
        return of(spec.password());
    }

    String text(String s) {
        if (s == null) {
            return null;
        }
        String r = ConnectionSpec.redact(s);
        for (String secret : secrets) {
            r = r.replace(secret, "********");
        }
        return r;
    }

    public RunReport apply(RunReport r) {
        UnaryOperator<String> t = this::text;
        List<StageReport> stages = r.stages().stream().map(s -> new StageReport(s.stage(), s.startedAt(), s.endedAt(),
                t.apply(s.outcome()), t.apply(s.detail()))).toList();
        List<CheckpointResult> checks = r.checkpoints().stream().map(c -> new CheckpointResult(t.apply(c.name()),
                t.apply(c.kind()), c.status(), t.apply(c.expected()), t.apply(c.actual()), t.apply(c.detail()),
                c.millis())).toList();
        Map<String, Long> tables = new LinkedHashMap<>();
        r.tables().forEach((k, v) -> tables.put(t.apply(k), v));
        return new RunReport(t.apply(r.runId()), t.apply(r.command()), t.apply(r.product()), t.apply(r.dialect()),
                t.apply(r.liveDatabase()), t.apply(r.fromVersion()), t.apply(r.toVersion()), r.startedAt(),
                r.endedAt(), r.outcome(), t.apply(r.result()), t.apply(r.message()), stages, checks,
                t.apply(r.backupLocation()), t.apply(r.stagingDatabase()), t.apply(r.archiveDatabase()),
                r.switchWindowMillis(), t.apply(r.writeProtection()), tables);
    }
}
