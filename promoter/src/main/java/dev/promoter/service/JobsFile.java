package dev.promoter.service;

import dev.promoter.core.db.Secret;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A loaded jobs file: the jobs, where reports and backups go, and the token that guards state changes. */
public record JobsFile(Path source, List<Job> jobs, Path reportDir, Path backupDir, Optional<Secret> token) {
    public JobsFile {
        jobs = List.copyOf(jobs);
    }

    public Optional<Job> job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }
}
