package dev.promoter.service;

import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StageReport;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Prometheus text exposition format (version 0.0.4) of the service's runs. */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Metrics() {
    }

    static String render(ServiceView v) {
        Map<String, Long> byOutcome = new TreeMap<>();
        Map<String, double[]> stages = new TreeMap<>();
        Map<String, Double> lastSuccess = new TreeMap<>();
        for (RunHistory.Entry e : v.history().all()) {
            RunReport r = e.report();
            byOutcome.merge(labels("job", e.job(), "result", r.result()), 1L, Long::sum);
            for (StageReport s : r.stages()) {
                double[] sc = stages.computeIfAbsent(labels("job", e.job(), "stage", s.stage().id()), k -> new double[2]);
                sc[0] += s.duration().toMillis() / 1000.0;
                sc[1] += 1;
            }
            if (r.outcome() == dev.promoter.core.Outcome.OK && r.endedAt() != null) {
                lastSuccess.merge(labels("job", e.job()), r.endedAt().toEpochMilli() / 1000.0, Math::max);
            }
        }
        StringBuilder b = new StringBuilder();
        header(b, "promoter_runs_total", "counter", "Finished runs by job and result (PROMOTED, NOTHING_TO_DO, STAGED, SKIPPED, REFUSED, FAILED).");
        byOutcome.forEach((l, n) -> line(b, "promoter_runs_total", l, n));
        header(b, "promoter_stage_duration_seconds", "summary", "Time spent in each pipeline stage.");
        stages.forEach((l, sc) -> {
            line(b, "promoter_stage_duration_seconds_sum", l, sc[0]);
            line(b, "promoter_stage_duration_seconds_count", l, (long) sc[1]);
        });
        header(b, "promoter_last_success_timestamp_seconds", "gauge", "When each job last ended OK (Unix time).");
        lastSuccess.forEach((l, t) -> line(b, "promoter_last_success_timestamp_seconds", l, t));
        header(b, "promoter_job_running", "gauge", "1 while the job has a run in progress.");
        for (Job j : v.jobs().jobs()) {
            line(b, "promoter_job_running", labels("job", j.name()), v.scheduler().running(j.name()) ? 1L : 0L);
        }
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder b, String name, String labels, Number value) {
        String v = value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : value.toString();
        b.append(name).append('{').append(labels).append("} ").append(v).append('\n');
    }

    private static String labels(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(kv[i]).append("=\"").append(kv[i + 1] == null ? "" : kv[i + 1].replace("\\", "\\\\")
                    .replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.toString();
    }
}
