package dev.promoter.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import dev.promoter.core.version.Version;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and validates a jobs file once; every error names the file, the job and the field. Passwords
 * and the token come from an environment variable or a file named here, never from the file itself.
 */
public final class JobsFileReader {
    private static final Set<String> TOP = Set.of("jobs", "report_dir", "backup_dir", "token_env", "token_file");
    private static final Set<String> JOB = Set.of("name", "url", "user", "password_env", "password_file", "product",
            "sql", "to", "verify", "no_switch", "allow_writes", "skip_backup", "allow_drift", "window", "traffic");
    private static final Set<String> WINDOW = Set.of("cron", "within", "time_zone");
    private static final Set<String> TRAFFIC = Set.of("sample", "max_active_sessions", "max_tps", "max_transaction",
            "retry_every", "enabled");

    private final Map<String, String> env;
    private final ZoneId defaultZone;

    public JobsFileReader(Map<String, String> env, ZoneId defaultZone) {
        this.env = env;
        this.defaultZone = defaultZone;
    }

    public JobsFile read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw PromoterException.badInput("Jobs file " + file + " cannot be read as YAML: " + e.getMessage());
        }
        Where top = new Where(file, null);
        if (root == null || !root.isObject()) {
            throw top.bad("jobs", "the file must be a map with a jobs: list");
        }
        top.known(root, TOP);
        Path base = file.toAbsolutePath().getParent();
        JsonNode list = root.get("jobs");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw top.bad("jobs", "give a list of one or more jobs");
        }
        List<Job> jobs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Job j = job(list.get(i), new Where(file, "#" + (i + 1)), base);
            if (!names.add(j.name())) {
                throw new Where(file, j.name()).bad("name", "another job has the same name");
            }
            jobs.add(j);
        }
        Path reports = base.resolve(text(root, "report_dir", top).orElse("promoter-reports"));
        Path backups = base.resolve(text(root, "backup_dir", top).orElse("promoter-backups"));
        return new JobsFile(file, jobs, reports, backups, secret(root, "token_env", "token_file", top, base));
    }

    private Job job(JsonNode n, Where w, Path base) {
        if (n == null || !n.isObject()) {
            throw w.bad("job", "each job is a map (name:, url:, window:, ...)");
        }
        String name = text(n, "name", w).filter(s -> s.matches("[A-Za-z0-9._-]+"))
                .orElseThrow(() -> w.bad("name", "give a name of letters, digits, '.', '_' or '-'"));
        Where jw = new Where(w.file, name);
        jw.known(n, JOB);
        String url = text(n, "url", jw).filter(u -> u.startsWith("jdbc:"))
                .orElseThrow(() -> jw.bad("url", "give the live database's JDBC URL (jdbc:postgresql://, jdbc:mysql://, jdbc:h2:file:)"));
        ConnectionSpec live = new ConnectionSpec(url, text(n, "user", jw).orElse(null),
                secret(n, "password_env", "password_file", jw, base).orElse(Secret.none()));
        Path sql = base.resolve(text(n, "sql", jw).orElseThrow(() -> jw.bad("sql", "give the sql/ tree's folder")));
        if (!Files.isDirectory(sql)) {
            throw jw.bad("sql", "folder " + sql + " does not exist");
        }
        Optional<Version> to = text(n, "to", jw).filter(t -> !t.equalsIgnoreCase("newest")).map(t -> {
            try {
                return Version.parse(t);
            } catch (RuntimeException e) {
                throw jw.bad("to", "\"" + t + "\" is not a version (or \"newest\"): " + e.getMessage());
            }
        });
        return new Job(name, live, ConnectionSpec.redact(url), text(n, "product", jw), sql, to, flag(n, "verify", true, jw),
                flag(n, "no_switch", false, jw), flag(n, "allow_writes", false, jw), flag(n, "skip_backup", false, jw),
                flag(n, "allow_drift", false, jw), window(n.get("window"), jw), traffic(n.get("traffic"), jw));
    }

    private Window window(JsonNode n, Where w) {
        if (n == null || !n.isObject()) {
            throw w.bad("window", "give window: {cron: \"0 2 * * SUN\", within: 2h}");
        }
        w.known(n, WINDOW, "window.");
        String cron = text(n, "cron", w).orElseThrow(() -> w.bad("window.cron", "give a UNIX cron expression, e.g. \"0 2 * * SUN\""));
        Duration within = duration(n, "within", w, "window.").orElseThrow(() -> w.bad("window.within", "give the longest a run may take, e.g. 2h"));
        ZoneId zone;
        try {
            zone = text(n, "time_zone", w).map(ZoneId::of).orElse(defaultZone);
        } catch (RuntimeException e) {
            throw w.bad("window.time_zone", e.getMessage());
        }
        try {
            return Window.of(cron, within, zone);
        } catch (IllegalArgumentException e) {
            throw w.bad("window.cron", "\"" + cron + "\" is not a UNIX cron expression (minute hour day month weekday): " + e.getMessage());
        }
    }

    private TrafficLimits traffic(JsonNode n, Where w) {
        if (n == null) {
            return new TrafficLimits(true, Duration.ofSeconds(10), 5, 50, Duration.ofSeconds(30), Duration.ofSeconds(30));
        }
        w.known(n, TRAFFIC, "traffic.");
        boolean enabled = flag(n, "enabled", true, w);
        Duration sample = duration(n, "sample", w, "traffic.").orElse(Duration.ofSeconds(10));
        int sessions = (int) number(n, "max_active_sessions", 5, w);
        double tps = number(n, "max_tps", 50, w);
        Duration longest = duration(n, "max_transaction", w, "traffic.").orElse(Duration.ofSeconds(30));
        Duration retry = duration(n, "retry_every", w, "traffic.").orElse(Duration.ofSeconds(30));
        return new TrafficLimits(enabled, sample, sessions, tps, longest, retry);
    }

    private Optional<Secret> secret(JsonNode n, String envKey, String fileKey, Where w, Path base) {
        if (n.has("password") || n.has("token")) {
            throw w.bad(n.has("password") ? "password" : "token", "secrets are never written in the jobs file: use "
                    + envKey + ": VARIABLE or " + fileKey + ": PATH");
        }
        Optional<String> var = text(n, envKey, w);
        Optional<String> path = text(n, fileKey, w);
        if (var.isPresent() && path.isPresent()) {
            throw w.bad(envKey, "give " + envKey + " or " + fileKey + ", not both");
        }
        if (var.isPresent()) {
            String v = env.get(var.get());
            if (v == null) {
                throw w.bad(envKey, "environment variable " + var.get() + " is not set");
            }
            return Optional.of(Secret.of(v));
        }
        if (path.isPresent()) {
            Path p = base.resolve(path.get());
            try {
                return Optional.of(Secret.of(Files.readString(p).lines().findFirst().orElse("")));
            } catch (IOException e) {
                throw w.bad(fileKey, "cannot read " + p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> text(JsonNode n, String key, Where w) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw w.bad(key, "must be a single value");
        }
        return Optional.of(v.asText());
    }

    private static boolean flag(JsonNode n, String key, boolean dflt, Where w) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw w.bad(key, "must be true or false, was " + v);
        }
        return v.asBoolean();
    }

    private static double number(JsonNode n, String key, double dflt, Where w) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || v.asDouble() < 0) {
            throw w.bad("traffic." + key, "must be a number >= 0, was " + v);
        }
        return v.asDouble();
    }

    private static Optional<Duration> duration(JsonNode n, String key, Where w, String prefix) {
        return text(n, key, w).map(t -> Durations.parse(t).orElseThrow(() ->
                w.bad(prefix + key, "\"" + t + "\" is not a duration (e.g. 2h, 30m, 10s, 500ms)")));
    }

    /** Where in the file a value is, for messages. */
    private record Where(Path file, String job) {
        PromoterException bad(String field, String why) {
            return PromoterException.badInput("Jobs file " + file + (job == null ? "" : ", job " + job) + ", field "
                    + field + ": " + why);
        }

        void known(JsonNode n, Set<String> keys) {
            known(n, keys, "");
        }

        void known(JsonNode n, Set<String> keys, String prefix) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k) && !k.equals("password") && !k.equals("token")) {
                    throw bad(prefix + k, "unknown field; known: " + new TreeSet<>(keys));
                }
            }
        }
    }
}
