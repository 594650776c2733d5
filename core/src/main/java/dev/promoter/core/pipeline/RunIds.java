package dev.promoter.core.pipeline;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Run ids ({@code 20261122023015-3f2a}: UTC time, then a random suffix) and the time stamps of archive names. */
public final class RunIds {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private RunIds() {
    }

    public static String next(Clock clock) {
        return stamp(clock) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    }

    public static String stamp(Clock clock) {
        return STAMP.format(clock.instant());
    }
}
