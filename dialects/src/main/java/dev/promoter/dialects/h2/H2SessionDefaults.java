package dev.promoter.dialects.h2;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.SessionDefaults;

import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Every connection the tool opens to an H2 URL, including the URL exactly as the user wrote it (dialect detection,
 * {@code status}, {@code history}, {@code stamp}, the ledger), runs with {@code MAX_COMPACT_TIME=0}: no compaction
 * when the last session closes, as the URLs {@link H2Url} builds do. One open and close of the raw URL between
 * the others was enough to bring back the loss of committed work that {@link H2Url#url} describes. A URL that sets
 * the option keeps its own value.
 */
public final class H2SessionDefaults implements SessionDefaults {
    private static final Pattern SETS_IT = Pattern.compile("(?i);\\s*MAX_COMPACT_TIME\\s*=");

    @Override
    public String apply(ConnectionSpec spec, String url, Properties properties) {
        if (url == null || !url.regionMatches(true, 0, H2Url.PREFIX, 0, H2Url.PREFIX.length()) || setsCompaction(url)) {
            return url;
        }
        String base = url;
        while (base.endsWith(";")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + ";" + H2Url.NO_COMPACTION_ON_CLOSE;
    }

    /** Whether the URL (or its options so far) sets MAX_COMPACT_TIME itself. */
    static boolean setsCompaction(CharSequence url) {
        return SETS_IT.matcher(url).find();
    }
}
