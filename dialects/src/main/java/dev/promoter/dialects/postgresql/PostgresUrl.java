package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pgjdbc URL taken apart: {@code jdbc:postgresql://host[:port][,host2[:port2]]/database?params} or
 * {@code jdbc:postgresql:database?params}. Rewrites the database keeping hosts and parameters, and gives
 * the libpq environment ({@code PGHOST}, {@code PGPORT}, ...) for pg_dump, pg_restore and psql.
 */
record PostgresUrl(String hosts, String database, String params) {
    static final String PREFIX = "jdbc:postgresql:";

    static PostgresUrl parse(String url) {
        if (url == null || !url.startsWith(PREFIX)) {
            throw PromoterException.badInput("Not a PostgreSQL JDBC URL: " + ConnectionSpec.redact(url)
                    + "; use jdbc:postgresql://host:port/database");
        }
        String rest = url.substring(PREFIX.length());
        String params = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            params = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String hosts = null;
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            hosts = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            rest = slash < 0 ? "" : rest.substring(slash + 1);
        }
        return new PostgresUrl(hosts, URLDecoder.decode(rest, StandardCharsets.UTF_8), params);
    }

    /** The same server and parameters, database {@code name}. */
    String withDatabase(String name) {
        String db = encode(name);
        return PREFIX + (hosts == null ? "" : "//" + hosts + "/") + db + (params.isEmpty() ? "" : "?" + params);
    }

    /** The same URL with parameter {@code name} set to {@code value} (added, or replacing the URL's). */
    String withParameter(String name, String value) {
        StringBuilder q = new StringBuilder();
        Map<String, String> m = parameters();
        m.put(name, value);
        m.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return new PostgresUrl(hosts, database, q.toString()).withDatabase(database);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Map<String, String> parameters() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : params.split("&")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
            m.put(k, eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** libpq environment for the client tools: server, database, login (the password never on a command line). */
    Map<String, String> libpqEnvironment(ConnectionSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        StringBuilder h = new StringBuilder();
        StringBuilder p = new StringBuilder();
        for (String hp : (hosts == null || hosts.isEmpty() ? "localhost" : hosts).split(",")) {
            String host = hp;
            String port = "5432";
            int colon = hp.lastIndexOf(':');
            if (colon > 0 && !hp.endsWith("]")) {
                host = hp.substring(0, colon);
                port = hp.substring(colon + 1);
            }
            host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            h.append(h.length() == 0 ? "" : ",").append(host);
            p.append(p.length() == 0 ? "" : ",").append(port);
        }
        env.put("PGHOST", h.toString());
        env.put("PGPORT", p.toString());
        env.put("PGDATABASE", database);
        Map<String, String> params = parameters();
        String user = spec.user() != null ? spec.user() : params.get("user");
        if (user != null) {
            env.put("PGUSER", user);
        }
        String password = !spec.password().isEmpty() ? spec.password().reveal() : params.get("password");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        if (params.containsKey("sslmode")) {
            env.put("PGSSLMODE", params.get("sslmode"));
        }
        env.put("PGAPPNAME", "promoter");
        env.put("PGCONNECT_TIMEOUT", "30");
        return env;
    }
}
