package dev.promoter.core.checkpoint;

import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.spi.TableRef;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a path's scripts may change a table: a table whose name appears as a word anywhere in a
 * script is treated as touched (conservative: a false "touched" only skips a checksum comparison, it
 * never lets a changed table pass as untouched).
 */
final class TouchedTables {
    private final String text;

    TouchedTables(MigrationPlan plan) {
        StringBuilder sb = new StringBuilder();
        plan.scripts().forEach(s -> sb.append(s.read()).append('\n'));
        for (var v : plan.versions()) {
            sb.append(String.join(" ", v.checkpoints().rowCountChanges().keySet())).append('\n');
        }
        text = sb.toString().toLowerCase(Locale.ROOT);
    }

    boolean touches(TableRef table) {
        String n = Pattern.quote(table.name().toLowerCase(Locale.ROOT));
        return Pattern.compile("(?<![\\w$])" + n + "(?![\\w$])").matcher(text).find();
    }
}
