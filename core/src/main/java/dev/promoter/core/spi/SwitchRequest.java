package dev.promoter.core.spi;

import java.time.Duration;

/**
 * @param server   the server holding all three databases
 * @param staging  the migrated, verified database to make live
 * @param archive  the name the old live takes (must not exist)
 * @param snapshot the clone's snapshot: proof that live took no write since
 * @param timeout  longest wait for sessions to end / locks; after it nothing has changed
 */
public record SwitchRequest(DatabaseServer server, String staging, String archive, Snapshot snapshot,
                            Duration timeout) {
}
