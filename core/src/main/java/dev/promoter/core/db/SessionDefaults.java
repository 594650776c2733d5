package dev.promoter.core.db;

import java.util.Properties;

/**
 * What a dialect adds to every connection the tool opens to one of its URLs, single or pooled (found through
 * {@link java.util.ServiceLoader}, so that core names no dialect). PostgreSQL's keeps the applications'
 * timeouts, set on the database, a role or the server, off the tool's own sessions: a copy or checksum of a
 * large table runs longer than any statement an application sends.
 */
public interface SessionDefaults {
    /**
     * The URL to connect to for {@code spec} (whose URL is {@code url}, as earlier defaults left it), with what it needs added to {@code properties} (driver
     * properties) or to the URL; {@code url} itself, with {@code properties} untouched, for other dialects' URLs.
     */
    String apply(ConnectionSpec spec, String url, Properties properties) throws java.sql.SQLException;
}
