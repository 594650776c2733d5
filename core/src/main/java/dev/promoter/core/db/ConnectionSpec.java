package dev.promoter.core.db;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a database is and how to log in. {@link #toString()} and {@link #redactedUrl()} never show a
 * password, whether it was given apart or written inside the URL.
 */
public record ConnectionSpec(String url, String user, Secret password) {
    private static final Pattern URL_PASSWORD =
            Pattern.compile("(?i)((?:password|pwd|sslpassword)=)[^;&]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//)([^/@:]+):([^/@]*)@");

    public ConnectionSpec {
        Objects.requireNonNull(url, "url");
        password = password == null ? Secret.none() : password;
    }

    public ConnectionSpec withUrl(String newUrl) {
        return new ConnectionSpec(newUrl, user, password);
    }

    /** The URL with any password replaced by {@code ***}: safe for messages, logs and reports. */
    public String redactedUrl() {
        return redact(url);
    }

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String r = URL_PASSWORD.matcher(url).replaceAll("$1***");
        return URL_USERINFO.matcher(r).replaceAll("$1$2:***@");
    }

    @Override
    public String toString() {
        return redactedUrl() + (user == null ? "" : " as " + user);
    }
}
