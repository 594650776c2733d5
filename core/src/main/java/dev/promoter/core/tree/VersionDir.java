package dev.promoter.core.tree;

import dev.promoter.core.spi.DialectName;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One version folder: its scripts per dialect (in run order) and its declared checkpoints. */
public record VersionDir(Version version, Path dir, Map<DialectName, List<Script>> scripts,
                         Optional<Path> checkpointsFile) {
    public VersionDir {
        scripts = Map.copyOf(scripts);
    }

    public List<Script> scripts(DialectName dialect) {
        return scripts.getOrDefault(dialect, List.of());
    }

    public boolean hasDialect(DialectName dialect) {
        return !scripts(dialect).isEmpty();
    }

    /** The parsed checkpoints.yaml, or an empty one when the version has none. */
    public CheckpointsFile checkpoints() {
        return checkpointsFile.map(CheckpointsFile::read)
                .orElseGet(() -> CheckpointsFile.empty(dir.resolve(CheckpointsFile.FILE_NAME)));
    }
}
