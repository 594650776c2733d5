package dev.promoter.core.checkpoint;

import dev.promoter.core.spi.TableRef;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables of a run by identity (schema and name as the catalog spells them), and the names users write in
 * {@code checkpoints.yaml}. Live's tables and staging's are matched exactly: {@code public.users},
 * {@code auth.users} and {@code "Users"} are three tables, never one. A declared name, bare ({@code users}) or
 * qualified ({@code auth.users}), is matched in any case, but where some table has exactly the name written, only
 * those tables are meant.
 */
final class TableNames {
    private final Map<String, Integer> sameName = new TreeMap<>();

    /** {@code tables}: every table the checkpoints speak of (live's at the snapshot and staging's). */
    TableNames(Collection<TableRef> tables) {
        tables.stream().distinct().forEach(t -> sameName.merge(lower(t.name()), 1, Integer::sum));
    }

    /**
     * How checkpoints name {@code table}: its name in lower case, as before, when no other table of the run has that
     * name in any case or schema; its exact {@code schema.name} otherwise, so that each table's checkpoint is its own.
     */
    String label(TableRef table) {
        return sameName.getOrDefault(lower(table.name()), 0) > 1 ? table.display() : lower(table.name());
    }

    /** The tables of {@code among} that the declared name {@code declared} means (see the class comment). */
    static List<TableRef> resolve(String declared, Collection<TableRef> among) {
        String d = declared.strip();
        List<TableRef> exact = among.stream().filter(t -> d.equals(t.name()) || d.equals(t.display())).distinct().toList();
        if (!exact.isEmpty()) {
            return exact;
        }
        return among.stream().filter(t -> d.equalsIgnoreCase(t.name()) || d.equalsIgnoreCase(t.display()))
                .distinct().toList();
    }

    /**
     * Two row-count changes declared for one table by versions of the path, in order: counts add up, {@code any}
     * stays any, a drop is final unless a later version declares the table again (then its count is not known).
     */
    static String combine(String earlier, String later) {
        if (earlier == null) {
            return later;
        }
        if ("drop".equals(later)) {
            return "drop";
        }
        if ("drop".equals(earlier) || "any".equals(earlier) || "any".equals(later)) {
            return "any";
        }
        long sum = Long.parseLong(earlier.replace("+", "")) + Long.parseLong(later.replace("+", ""));
        return (sum >= 0 ? "+" : "") + sum;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
