package dev.promoter.core.admin;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.ledger.PromotionLock;
import dev.promoter.core.ledger.RunRecord;
import dev.promoter.core.spi.Dialects;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The archives promotions kept (each the old live, a whole database), as the ledger records them: listed, and
 * dropped by name when no longer needed. Only a database the ledger records as an archive of this live can be
 * dropped, never live or any other name, and only under the promotion lock (no run is switching meanwhile).
 */
public final class Archives {
    private static final int HISTORY = 10_000;

    private final Dialects dialects;
    private final Clock clock;

    public Archives(Dialects dialects, Clock clock) {
        this.dialects = dialects;
        this.clock = clock;
    }

    /** An archive: its name, the run that made it, the version it holds, when the run ended. */
    public record Archive(String name, String runId, String version, Instant archivedAt) {
    }

    /** The archives of live that still exist, newest first. */
    public List<Archive> list(ConnectionSpec spec) {
        return list(LiveTarget.open(dialects, spec, clock, false));
    }

    private static List<Archive> list(LiveTarget t) {
        Map<String, Archive> out = new LinkedHashMap<>();
        for (RunRecord r : t.ledger().history(t.key(), HISTORY)) {
            if (r.archiveName() != null && !out.containsKey(r.archiveName()) && t.server().exists(r.archiveName())
                    && !r.archiveName().equals(t.server().liveDatabase())) {
                out.put(r.archiveName(), new Archive(r.archiveName(), r.runId(), r.fromVersion(), r.endedAt()));
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Drops the archives {@code names}, in order. Every name is checked first: one that is not an existing archive
     * of live is refused before anything is dropped, naming the archives there are. Returns the archives dropped.
     */
    public List<Archive> drop(ConnectionSpec spec, List<String> names) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        String runId = "archives-" + UUID.randomUUID().toString().substring(0, 8);
        try (var lease = new PromotionLock(t.ledger()).acquire(t.key(), runId, "drop archives", Duration.ofMinutes(5))) {
            Map<String, Archive> known = new LinkedHashMap<>();
            list(t).forEach(a -> known.put(a.name(), a));
            List<String> unknown = names.stream().filter(n -> !known.containsKey(n)).toList();
            if (!unknown.isEmpty()) {
                throw PromoterException.refused("Not an archive of " + t.server().liveDatabase() + " that the ledger "
                        + "records: " + String.join(", ", unknown) + ". Only archives kept by promotions can be dropped "
                        + "here; they are: " + (known.isEmpty() ? "none" : String.join(", ", known.keySet()))
                        + ". Nothing was dropped");
            }
            List<Archive> dropped = new ArrayList<>();
            for (String n : names.stream().distinct().toList()) {
                t.server().drop(n);
                dropped.add(known.get(n));
            }
            return dropped;
        }
    }
}
