package dev.promoter.core.pipeline;

import dev.promoter.core.Outcome;
import dev.promoter.core.checkpoint.CheckpointResult;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The whole account of a run, from which every report (JSON, HTML, JUnit XML, Markdown) is rendered.
 *
 * @param result    PROMOTED, NOTHING_TO_DO, STAGED (built without switch), REFUSED or FAILED
 * @param tables    each live table's row count at the snapshot
 */
public record RunReport(String runId, String command, String product, String dialect, String liveDatabase,
                        String fromVersion, String toVersion, Instant startedAt, Instant endedAt, Outcome outcome,
                        String result, String message, List<StageReport> stages, List<CheckpointResult> checkpoints,
                        String backupLocation, String stagingDatabase, String archiveDatabase, Long switchWindowMillis,
                        String writeProtection, Map<String, Long> tables) {
    public RunReport {
        stages = List.copyOf(stages);
        checkpoints = List.copyOf(checkpoints);
        tables = Map.copyOf(tables);
    }

    public boolean checkpointsPassed() {
        return checkpoints.stream().noneMatch(CheckpointResult::failed);
    }
}
