package dev.promoter.core.spi;

import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What live held at the clone's snapshot.
 *
 * @param watermark a dialect-specific token (WAL position, GTID set, checksum digest) that the switch
 *                  uses to prove live took no write since the snapshot
 * @param freeze    the write freeze taken at the snapshot, or {@link WriteFreeze#NONE}
 */
public record Snapshot(Instant takenAt, String watermark, SortedMap<TableRef, TableChecksum> tables,
                       WriteFreeze freeze) {
    public Snapshot {
        tables = new TreeMap<>(tables);
        freeze = freeze == null ? WriteFreeze.NONE : freeze;
    }

    public static Snapshot of(Instant takenAt, String watermark, Map<TableRef, TableChecksum> tables,
                              WriteFreeze freeze) {
        return new Snapshot(takenAt, watermark, new TreeMap<>(tables), freeze);
    }
}
