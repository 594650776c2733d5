package dev.promoter.service;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One scheduled upgrade, validated at load and frozen.
 *
 * @param liveKey  what two jobs on the same live database share: only one of them runs at a time
 * @param to       the target version; empty means the newest in the tree
 */
public record Job(String name, ConnectionSpec live, String liveKey, Optional<String> product, Path sql,
                  Optional<Version> to, boolean verify, boolean noSwitch, boolean allowWrites, boolean skipBackup,
                  boolean allowDrift, Window window, TrafficLimits traffic) {
}
