package dev.promoter.service;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * When a job may run: it may start at each time the UNIX cron expression names, and must be done
 * (started and switched) within {@code within} of it. Parsing and next/last executions are cron-utils'.
 */
public final class Window {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String cronText;
    private final ExecutionTime execution;
    private final Duration within;
    private final ZoneId zone;

    private Window(String cronText, ExecutionTime execution, Duration within, ZoneId zone) {
        this.cronText = cronText;
        this.execution = execution;
        this.within = within;
        this.zone = zone;
    }

    /** Parses the cron expression; throws IllegalArgumentException with cron-utils' reason when it is not valid. */
    public static Window of(String cron, Duration within, ZoneId zone) {
        Cron parsed = PARSER.parse(cron);
        parsed.validate();
        if (within.isZero() || within.isNegative()) {
            throw new IllegalArgumentException("within must be positive, was " + within);
        }
        return new Window(cron, ExecutionTime.forCron(parsed), within, zone);
    }

    /** The start of the window that is open at {@code now}, if one is. */
    public Optional<Instant> openSince(Instant now) {
        ZonedDateTime t = now.atZone(zone);
        ZonedDateTime minute = t.truncatedTo(ChronoUnit.MINUTES);
        Optional<ZonedDateTime> start = execution.isMatch(minute) ? Optional.of(minute) : execution.lastExecution(t);
        return start.map(ZonedDateTime::toInstant).filter(s -> now.isBefore(s.plus(within)));
    }

    public boolean isOpen(Instant now) {
        return openSince(now).isPresent();
    }

    /** When the window open at {@code now} closes. */
    public Optional<Instant> closesAt(Instant now) {
        return openSince(now).map(s -> s.plus(within));
    }

    /** The next time the window opens after {@code now} (now's own window if open). */
    public Optional<Instant> nextOpen(Instant now) {
        Optional<Instant> open = openSince(now);
        if (open.isPresent()) {
            return open;
        }
        return execution.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /** The next time a window starts strictly after {@code now} (not the one open now). */
    public Optional<Instant> nextStart(Instant now) {
        return execution.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /** For people: "open until T; next S" or "next S". */
    public String describeAt(Instant now) {
        String next = nextStart(now).map(Instant::toString).orElse("never");
        return closesAt(now).map(c -> "open until " + c + "; next " + next).orElse("next " + next);
    }

    public String cron() {
        return cronText;
    }

    public Duration within() {
        return within;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return "\"" + cronText + "\" within " + Durations.format(within) + " (" + zone + ")";
    }
}
