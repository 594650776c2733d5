package dev.promoter.service;

import dev.promoter.core.pipeline.RunReport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** The service's memory of finished runs, newest first, bounded. */
public final class RunHistory {
    /** A finished run and the job it belongs to. */
    public record Entry(String job, RunReport report) {
    }

    private final int limit;
    private final Deque<Entry> entries = new ArrayDeque<>();

    public RunHistory(int limit) {
        this.limit = limit;
    }

    public synchronized void add(String job, RunReport report) {
        entries.addFirst(new Entry(job, report));
        while (entries.size() > limit) {
            entries.removeLast();
        }
    }

    public synchronized List<Entry> all() {
        return new ArrayList<>(entries);
    }

    public synchronized Optional<Entry> last(String job) {
        return entries.stream().filter(e -> e.job().equals(job)).findFirst();
    }

    public synchronized Optional<Entry> byId(String runId) {
        return entries.stream().filter(e -> e.report().runId().equals(runId)).findFirst();
    }
}
