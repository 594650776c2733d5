package dev.promoter.core.pipeline;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.spi.ProgressListener;

import java.util.List;

/** Follows a run: the CLI prints it, the service records it. */
public interface RunListener extends ProgressListener {
    RunListener NONE = new RunListener() {
    };

    default void stageStarted(Stage stage) {
    }

    default void stageFinished(StageReport report) {
    }

    default void checkpoints(List<CheckpointResult> results) {
    }
}
