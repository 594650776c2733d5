package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A MySQL JDBC URL taken apart: {@code jdbc:mysql://hosts/database?params}. {@code jdbc:mariadb://} URLs
 * are accepted and rewritten to {@code jdbc:mysql://}, because Promoter ships only MySQL Connector/J
 * (which serves MariaDB too); the MariaDB driver's own parameters are passed through unchanged.
 */
record MySqlUrl(String hosts, String database, String params) {
    static final String MYSQL = "jdbc:mysql://";
    static final String MARIADB = "jdbc:mariadb://";

    static boolean accepts(String url) {
        String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
        return u.startsWith(MYSQL) || u.startsWith(MARIADB);
    }

    static MySqlUrl parse(String url) {
        if (!accepts(url)) {
            throw PromoterException.badInput("Not a MySQL/MariaDB URL: " + ConnectionSpec.redact(url)
                    + "; use jdbc:mysql://host:3306/database (jdbc:mariadb:// is rewritten to jdbc:mysql://)");
        }
        String rest = url.substring(url.indexOf("://") + 3);
        int q = rest.indexOf('?');
        String params = q < 0 ? "" : rest.substring(q + 1);
        String hostAndPath = q < 0 ? rest : rest.substring(0, q);
        int slash = hostAndPath.indexOf('/');
        String hosts = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
        String db = slash < 0 ? "" : URLDecoder.decode(hostAndPath.substring(slash + 1).replace("+", "%2B"),
                StandardCharsets.UTF_8);
        return new MySqlUrl(hosts, db, params);
    }

    /** The spec with its URL in Connector/J form ({@code jdbc:mariadb://} rewritten). */
    static ConnectionSpec normalize(ConnectionSpec spec) {
        return spec.withUrl(parse(spec.url()).text());
    }

    MySqlUrl withDatabase(String name) {
        return new MySqlUrl(hosts, name == null ? "" : name, params);
    }

    /** A driver parameter's value as written in the URL (null when absent). */
    String param(String key) {
        for (String p : params.split("&")) {
            if (p.toLowerCase(Locale.ROOT).startsWith(key.toLowerCase(Locale.ROOT) + "=")) {
                return p.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** Adds (or replaces) a driver parameter. */
    MySqlUrl withParam(String key, String value) {
        StringBuilder sb = new StringBuilder();
        for (String p : params.split("&")) {
            if (!p.isEmpty() && !p.toLowerCase(Locale.ROOT).startsWith(key.toLowerCase(Locale.ROOT) + "=")) {
                sb.append(sb.isEmpty() ? "" : "&").append(p);
            }
        }
        sb.append(sb.isEmpty() ? "" : "&").append(key).append('=').append(value);
        return new MySqlUrl(hosts, database, sb.toString());
    }

    /** The first host and port, for the command-line clients. */
    String host() {
        String first = hosts.split(",")[0];
        int at = first.lastIndexOf('@');
        first = at < 0 ? first : first.substring(at + 1);
        int colon = first.lastIndexOf(':');
        return colon < 0 ? first : first.substring(0, colon);
    }

    int port() {
        String first = hosts.split(",")[0];
        int colon = first.lastIndexOf(':');
        return colon < 0 || first.endsWith("]") ? 3306 : Integer.parseInt(first.substring(colon + 1));
    }

    String text() {
        String db = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return MYSQL + hosts + "/" + db + (params.isEmpty() ? "" : "?" + params);
    }
}
