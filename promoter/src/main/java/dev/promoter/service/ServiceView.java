package dev.promoter.service;

/** What the HTTP side reads: the jobs, the scheduler, the runner and the history. */
record ServiceView(JobsFile jobs, Scheduler scheduler, JobRunner runner, RunHistory history) {
}
