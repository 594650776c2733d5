package dev.promoter.service;

import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.core.spi.TrafficSample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Samples live until its traffic is under the job's limits or the window closes. Sampling takes real
 * time; the window is read from the injected clock.
 */
final class TrafficGate {
    private final Clock clock;
    private final StopSignal stop;

    TrafficGate(Clock clock, StopSignal stop) {
        this.clock = clock;
        this.stop = stop;
    }

    /** The outcome: quiet (with the sample that passed) or not (with the last figures measured). */
    record Verdict(boolean quiet, Optional<TrafficSample> last, List<String> exceeded, int samples) {
        String figures() {
            return last.map(TrafficSample::describe).orElse("not sampled");
        }
    }

    Verdict await(Job job, TrafficProbe probe, Instant closesAt, Consumer<String> log) {
        TrafficLimits limits = job.traffic();
        if (!limits.enabled()) {
            return new Verdict(true, Optional.empty(), List.of(), 0);
        }
        Optional<TrafficSample> last = Optional.empty();
        List<String> over = List.of();
        int samples = 0;
        while (true) {
            stop.check("while sampling traffic");
            TrafficSample s = probe.sample(job.live(), limits.sampleFor());
            samples++;
            last = Optional.of(s);
            over = limits.exceeded(s);
            if (over.isEmpty()) {
                log.accept("traffic is low: " + s.describe());
                return new Verdict(true, last, over, samples);
            }
            Instant now = clock.instant();
            if (!now.isBefore(closesAt)) {
                return new Verdict(false, last, over, samples);
            }
            log.accept("traffic too high (" + String.join(", ", over) + "); sampling again until the window closes at "
                    + closesAt);
            long wait = Math.min(limits.retryEvery().toMillis(), Duration.between(now, closesAt).toMillis());
            if (stop.sleep(wait)) {
                stop.check("while waiting for traffic to drop");
            }
            if (!clock.instant().isBefore(closesAt)) {
                return new Verdict(false, last, over, samples);
            }
        }
    }
}
