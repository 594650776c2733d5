package dev.promoter.service;

import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StageReport;

import java.time.Instant;

import static dev.promoter.service.Html.esc;

/** Renders the status page and the fallback report page (when a run has no report.html). */
final class StatusPage {
    private StatusPage() {
    }

    static String render(ServiceView v, Instant now) {
        StringBuilder b = new StringBuilder("<h1>Promoter service</h1><h2>Jobs</h2><table id=\"jobs\"><tr><th>Job</th>"
                + "<th>Live</th><th>Window</th><th>Window now</th><th>State</th><th>Last run</th></tr>");
        for (Job j : v.jobs().jobs()) {
            var last = v.history().last(j.name());
            b.append("<tr><td>").append(esc(j.name())).append("</td><td>").append(esc(j.liveKey())).append("</td><td>")
                    .append(esc(j.window())).append("</td><td>")
                    .append(esc(j.window().describeAt(now))).append("</td><td>")
                    .append(v.scheduler().running(j.name()) ? "running" : "idle")
                    .append(v.runner().postponed(j.name()) ? ", switch postponed" : "").append("</td><td>")
                    .append(last.map(e -> link(e.report()) + " <span class=\"" + esc(e.report().result()) + "\">"
                            + esc(e.report().result()) + "</span>").orElse("none")).append("</td></tr>");
        }
        b.append("</table><h2>Last runs</h2><table id=\"runs\"><tr><th>Run</th><th>Job</th><th>Started</th><th>Result</th>"
                + "<th>Versions</th><th>Message</th></tr>");
        for (RunHistory.Entry e : v.history().all()) {
            RunReport r = e.report();
            b.append("<tr><td>").append(link(r)).append("</td><td>").append(esc(e.job())).append("</td><td>")
                    .append(esc(r.startedAt())).append("</td><td class=\"").append(esc(r.result())).append("\">")
                    .append(esc(r.result())).append("</td><td>").append(esc(versions(r))).append("</td><td>")
                    .append(esc(r.message())).append("</td></tr>");
        }
        b.append("</table><p><a href=\"/api/jobs\">/api/jobs</a> · <a href=\"/api/runs\">/api/runs</a> · "
                + "<a href=\"/metrics\">/metrics</a></p>");
        return Html.page("Promoter service", b.toString());
    }

    static String report(RunReport r) {
        StringBuilder b = new StringBuilder("<h1>Run " + esc(r.runId()) + "</h1><p class=\"" + esc(r.result()) + "\">"
                + esc(r.result()) + ": " + esc(r.message()) + "</p><p>Live " + esc(r.liveDatabase()) + " ("
                + esc(r.dialect()) + "), " + esc(versions(r)) + "</p><table><tr><th>Stage</th><th>Outcome</th>"
                + "<th>Seconds</th><th>Detail</th></tr>");
        for (StageReport s : r.stages()) {
            b.append("<tr><td>").append(esc(s.stage().id())).append("</td><td>").append(esc(s.outcome()))
                    .append("</td><td>").append(s.duration().toMillis() / 1000.0).append("</td><td>")
                    .append(esc(s.detail())).append("</td></tr>");
        }
        b.append("</table><table><tr><th>Checkpoint</th><th>Status</th><th>Expected</th><th>Actual</th></tr>");
        r.checkpoints().forEach(c -> b.append("<tr><td>").append(esc(c.name())).append("</td><td>").append(esc(c.status()))
                .append("</td><td>").append(esc(c.expected())).append("</td><td>").append(esc(c.actual())).append("</td></tr>"));
        b.append("</table><p><a href=\"/\">back</a></p>");
        return Html.page("Run " + r.runId(), b.toString());
    }

    private static String link(RunReport r) {
        return "<a href=\"/runs/" + esc(r.runId()) + "\">" + esc(r.runId()) + "</a>";
    }

    private static String versions(RunReport r) {
        return r.fromVersion() == null ? "" : r.fromVersion() + " -> " + (r.toVersion() == null ? "?" : r.toVersion());
    }
}
