package dev.promoter.report;

import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StageReport;

import javax.xml.stream.XMLStreamException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The stages of a run as an inline SVG bar chart: one row and one bar ({@code <rect class="bar">}) per
 * stage, placed by its start and width by its duration on a common time axis, labelled with the stage and
 * its seconds and coloured by its outcome.
 */
final class HtmlTimeline {
    private static final int WIDTH = 960;
    private static final int LABELS = 110;
    private static final int PLOT = 760;
    private static final int AXIS = 24;
    private static final int ROW = 26;
    private static final int BAR = 16;
    /** Roughly the width of one character of the 12px labels, to keep a label beside its bar. */
    private static final double CHAR_WIDTH = 6.6;

    private HtmlTimeline() {
    }

    static String colour(String outcome) {
        return switch (outcome == null ? "" : outcome) {
            case "OK" -> "#2e7d32";
            case "FAILED" -> "#c62828";
            case "REFUSED" -> "#e65100";
            case "SKIPPED" -> "#9e9e9e";
            default -> "#1565c0";
        };
    }

    static void write(Xml x, RunReport r) throws XMLStreamException {
        List<StageReport> stages = r.stages();
        Instant start = r.startedAt();
        Instant end = stages.stream().map(s -> endOf(s, r)).reduce(r.endedAt() == null ? start : r.endedAt(),
                (a, b) -> a.isAfter(b) ? a : b);
        double total = Math.max(1, Duration.between(start, end).toMillis());
        int height = AXIS + ROW * Math.max(1, stages.size()) + 6;
        x.open("svg").attr("class", "timeline").attr("role", "img").attr("width", WIDTH).attr("height", height)
                .attr("viewBox", "0 0 " + WIDTH + " " + height);
        x.element("title", "Timeline of the stages of run " + r.runId());
        for (int i = 0; i <= 4; i++) {
            double px = LABELS + PLOT * i / 4.0;
            x.empty("line").attr("x1", fmt(px)).attr("x2", fmt(px)).attr("y1", AXIS - 6).attr("y2", height)
                    .attr("stroke", "#ddd");
            x.open("text").attr("x", fmt(px)).attr("y", AXIS - 10).attr("text-anchor", "middle").attr("class", "tick")
                    .text(ReportText.seconds(Duration.ofMillis(Math.round(total * i / 4)))).close();
        }
        int row = 0;
        for (StageReport s : stages) {
            double from = Duration.between(start, s.startedAt()).toMillis() / total * PLOT;
            Duration took = Duration.between(s.startedAt(), endOf(s, r));
            double width = Math.max(2, took.toMillis() / total * PLOT);
            double y = AXIS + row++ * ROW;
            String label = s.stage().id() + " " + ReportText.seconds(took);
            x.open("text").attr("x", LABELS - 8).attr("y", fmt(y + BAR - 3)).attr("text-anchor", "end")
                    .attr("class", "stage").text(s.stage().id()).close();
            x.open("rect").attr("class", "bar").attr("data-stage", s.stage().id()).attr("data-outcome", s.outcome())
                    .attr("x", fmt(LABELS + from)).attr("y", fmt(y)).attr("width", fmt(width)).attr("height", BAR)
                    .attr("rx", 2).attr("fill", colour(s.outcome()));
            x.element("title", label + " - " + s.outcome() + (s.detail() == null || s.detail().isBlank() ? "" : ": " + s.detail()));
            x.close();
            String text = label + " (" + s.outcome() + ")";
            double textWidth = text.length() * CHAR_WIDTH;
            double barStart = LABELS + from;
            double barEnd = barStart + width;
            String anchor;
            String cls = "label";
            double tx;
            if (barEnd + 4 + textWidth <= WIDTH) {
                tx = barEnd + 4;
                anchor = "start";
            } else if (barStart - 4 - textWidth >= LABELS) {
                tx = barStart - 4;
                anchor = "end";
            } else {
                tx = barEnd - 4;
                anchor = "end";
                cls = "label inside";
            }
            x.open("text").attr("x", fmt(tx)).attr("y", fmt(y + BAR - 3)).attr("text-anchor", anchor)
                    .attr("class", cls).text(text).close();
        }
        x.close();
    }

    private static Instant endOf(StageReport s, RunReport r) {
        if (s.endedAt() != null) {
            return s.endedAt();
        }
        return r.endedAt() != null && r.endedAt().isAfter(s.startedAt()) ? r.endedAt() : s.startedAt();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
