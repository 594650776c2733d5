package dev.promoter.report;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunReport;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Small pieces of text shared by the human-readable formats. */
final class ReportText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    /** FAIL first, then WARN, then PASS; the recorded order within each. */
    private static final Comparator<CheckpointResult> FAILURES_FIRST = Comparator.comparingInt(c -> switch (c.status()) {
        case FAIL -> 0;
        case WARN -> 1;
        case PASS -> 2;
    });

    private ReportText() {
    }

    static List<CheckpointResult> failuresFirst(List<CheckpointResult> checkpoints) {
        return checkpoints.stream().sorted(FAILURES_FIRST).toList();
    }

    static List<CheckpointResult> failed(RunReport r) {
        return r.checkpoints().stream().filter(CheckpointResult::failed).toList();
    }

    static long count(RunReport r, CheckpointResult.Status status) {
        return r.checkpoints().stream().filter(c -> c.status() == status).count();
    }

    /** Whole run, or empty when it never ended (rebuilt from a ledger entry of a run that died). */
    static Duration runDuration(RunReport r) {
        return r.endedAt() == null ? null : Duration.between(r.startedAt(), r.endedAt());
    }

    static String seconds(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    static String orDash(Object o) {
        return o == null || o.toString().isBlank() ? "-" : o.toString();
    }

    static String versions(RunReport r) {
        return orDash(r.fromVersion()) + " -> " + orDash(r.toVersion());
    }

    /** Replaces characters XML 1.0 cannot hold (control characters, lone surrogates) with U+FFFD. */
    static String xmlSafe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                    || (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    || (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (!ok && b == null) {
                b = new StringBuilder(s.substring(0, i));
            }
            if (b != null) {
                b.append(ok ? c : '\uFFFD');
            }
        }
        return b == null ? s : b.toString();
    }
}
