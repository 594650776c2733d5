package dev.promoter.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Secret;
import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's HTTP side (the JDK's {@link HttpServer}): status page, run reports, JSON API and
 * Prometheus metrics. Requests that change state need {@code Authorization: Bearer <token>}.
 */
public final class StatusServer implements AutoCloseable {
    private static final Pattern RUN = Pattern.compile("/runs/([0-9A-Za-z-]+)/?");
    private static final Pattern ACTION = Pattern.compile("/api/jobs/([A-Za-z0-9._-]+)/(run|postpone|resume)");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ServiceView view;
    private final Clock clock;
    private final HttpServer server;

    public StatusServer(JobsFile jobs, Scheduler scheduler, JobRunner runner, RunHistory history, Clock clock,
                        InetSocketAddress listen) {
        this.view = new ServiceView(jobs, scheduler, runner, history);
        this.clock = clock;
        try {
            this.server = HttpServer.create(listen, 16);
        } catch (IOException e) {
            throw PromoterException.badInput("Unable to listen on " + listen + " (--listen): " + e.getMessage()
                    + ". Pick a free port or another address");
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, dev.promoter.core.DaemonThreads.factory("promoter-http")));
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            Matcher action = ACTION.matcher(path);
            if (action.matches()) {
                if (!method.equals("POST")) {
                    send(x, 405, "text/plain", "use POST\n");
                } else if (authorized(x)) {
                    act(x, action.group(1), action.group(2));
                }
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(x, 405, "text/plain", "method " + method + " not allowed on " + path + "\n");
                return;
            }
            Matcher run = RUN.matcher(path);
            if (path.equals("/")) {
                send(x, 200, "text/html; charset=utf-8", StatusPage.render(view, clock.instant()));
            } else if (run.matches()) {
                report(x, run.group(1));
            } else if (path.equals("/api/jobs")) {
                send(x, 200, "application/json", JSON.writeValueAsString(jobs()));
            } else if (path.equals("/api/runs")) {
                send(x, 200, "application/json", JSON.writeValueAsString(view.history().all()));
            } else if (path.equals("/metrics")) {
                send(x, 200, Metrics.CONTENT_TYPE, Metrics.render(view));
            } else {
                send(x, 404, "text/plain", "no page " + path + "\n");
            }
        } catch (RuntimeException e) {
            send(x, 500, "text/plain", "internal error: " + e.getMessage() + "\n");
        }
    }

    private boolean authorized(HttpExchange x) throws IOException {
        Optional<Secret> token = view.jobs().token();
        String given = Optional.ofNullable(x.getRequestHeaders().getFirst("Authorization")).orElse("");
        boolean ok = token.isPresent() && !token.get().isEmpty() && given.startsWith("Bearer ")
                && MessageDigest.isEqual(given.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.get().reveal().getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"promoter\"");
            send(x, 401, "application/json", JSON.writeValueAsString(Map.of("error", token.isPresent()
                    ? "a valid bearer token is needed (Authorization: Bearer <token>)"
                    : "no token is configured (token_env or token_file in the jobs file): state changes are disabled")));
        }
        return ok;
    }

    private void act(HttpExchange x, String name, String what) throws IOException {
        Optional<Job> job = view.jobs().job(name);
        if (job.isEmpty()) {
            send(x, 404, "application/json", JSON.writeValueAsString(Map.of("error", "no job " + name)));
            return;
        }
        try {
            switch (what) {
                case "run" -> view.scheduler().runNow(job.get());
                case "postpone" -> view.runner().postpone(name);
                default -> view.runner().resume(name);
            }
            send(x, 202, "application/json", JSON.writeValueAsString(Map.of("job", name, "accepted", what)));
        } catch (PromoterException e) {
            send(x, 409, "application/json", JSON.writeValueAsString(Map.of("job", name, "error", e.getMessage())));
        }
    }

    private void report(HttpExchange x, String runId) throws IOException {
        Path dir = view.jobs().reportDir().resolve(runId);
        Path html = dir.resolve("report.html");
        if (Files.isRegularFile(html)) {
            send(x, 200, "text/html; charset=utf-8", Files.readString(html));
            return;
        }
        Optional<RunReport> r = view.history().byId(runId).map(RunHistory.Entry::report);
        if (r.isEmpty() && Files.isRegularFile(dir.resolve("report.json"))) {
            r = Optional.of(JSON.readValue(dir.resolve("report.json").toFile(), RunReport.class));
        }
        if (r.isEmpty()) {
            send(x, 404, "text/plain", "no run " + runId + "\n");
            return;
        }
        send(x, 200, "text/html; charset=utf-8", StatusPage.report(r.get()));
    }

    private List<Map<String, Object>> jobs() {
        Instant now = clock.instant();
        return view.jobs().jobs().stream().map(j -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", j.name());
            m.put("live", j.liveKey());
            m.put("to", j.to().map(Object::toString).orElse("newest"));
            m.put("cron", j.window().cron());
            m.put("within", Durations.format(j.window().within()));
            m.put("windowOpen", j.window().isOpen(now));
            m.put("nextWindow", j.window().nextOpen(now).orElse(null));
            m.put("running", view.scheduler().running(j.name()));
            m.put("switchPostponed", view.runner().postponed(j.name()));
            m.put("lastRun", view.history().last(j.name()).map(e -> Map.of("runId", e.report().runId(),
                    "result", e.report().result(), "endedAt", String.valueOf(e.report().endedAt()))).orElse(null));
            return m;
        }).toList();
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(bytes);
            }
        }
    }
}
