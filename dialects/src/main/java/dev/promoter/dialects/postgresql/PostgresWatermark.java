package dev.promoter.dialects.postgresql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Proof that live took no write since the snapshot, as a text token kept in the {@code Snapshot}.
 * <p>
 * It holds, per table, the cumulative tuple counters {@code n_tup_ins/n_tup_upd/n_tup_del} of
 * {@code pg_stat_user_tables} and the table's {@code relfilenode}, the same counters of the large-object catalogs
 * ({@code pg_largeobject}, {@code pg_largeobject_metadata}), and every sequence's {@code last_value}.
 * Any INSERT, UPDATE, DELETE, COPY or MERGE moves a counter (even when rolled back: a harmless false
 * alarm); TRUNCATE and table rewrites change the relfilenode; nextval moves a sequence; a created or
 * dropped table changes the set. Counters are read <em>before</em> the snapshot is taken, so a write that
 * lands between the two makes the switch refuse rather than pass. Backends report their counters when
 * idle (within about a second) and always when they exit; the switch ends every session on live before
 * comparing, so no write can hide in a backend's unreported counters. When {@code track_counts} is off
 * the counters do not move, the token says so, and the switch refuses unless the write freeze is held.
 * A fingerprint of live's own catalogs catches schema changes, which move no counter ({@link #SCHEMA_FINGERPRINT}).
 * {@code xact_commit} or the WAL position were rejected: read-only commits and other databases move them,
 * so they could never prove anything on a busy server.
 */
record PostgresWatermark(long databaseOid, boolean tracked, Map<String, String> entries) {
    private static final String HEADER = "pg-watermark-1";

    /** Sessions' temporary schemas: their objects come and go with the sessions and are no write to live. */
    private static final String TEMP = "(SELECT oid FROM pg_namespace WHERE nspname ~ '^pg_(toast_)?temp_')";
    /** Live's lasting relations (the catalogs that hang off a relation are read for these). */
    private static final String KEPT = "(SELECT oid FROM pg_class WHERE relnamespace NOT IN " + TEMP + ")";

    /**
     * Per catalog of live's own schema, its row count and the sum of a 64-bit hash of every row's xmin: DDL, GRANT
     * and COMMENT insert, update or delete catalog rows, and every row they insert or update has their new xmin, so
     * any of them changes the count or the sum, while what VACUUM and ANALYZE write to pg_class is updated in place
     * (same xmin; VACUUM FULL moves rows but keeps theirs) and pg_statistic is not read. Read inside the switch's
     * window: about 110 ms for 5000 tables here, a few ms for a few hundred. A
     * schema change moves no tuple counter (ADD COLUMN with a default, CREATE INDEX, COMMENT ON), so without this a
     * run without the write freeze would switch and lose it. Shared catalogs (the freeze's own ALTER DATABASE) and
     * sessions' temporary objects are left out.
     */
    private static final String SCHEMA_FINGERPRINT = fingerprints(Map.ofEntries(
            Map.entry("pg_namespace", "oid NOT IN " + TEMP),
            Map.entry("pg_class", "relnamespace NOT IN " + TEMP),
            Map.entry("pg_attribute", "attrelid IN " + KEPT),
            Map.entry("pg_attrdef", "adrelid IN " + KEPT),
            Map.entry("pg_constraint", "connamespace NOT IN " + TEMP),
            Map.entry("pg_index", "indrelid IN " + KEPT),
            Map.entry("pg_inherits", "inhrelid IN " + KEPT),
            Map.entry("pg_trigger", "tgrelid IN " + KEPT),
            Map.entry("pg_rewrite", "ev_class IN " + KEPT),
            Map.entry("pg_policy", "polrelid IN " + KEPT),
            Map.entry("pg_sequence", "seqrelid IN " + KEPT),
            Map.entry("pg_statistic_ext", "stxnamespace NOT IN " + TEMP),
            Map.entry("pg_type", "typnamespace NOT IN " + TEMP),
            Map.entry("pg_proc", "pronamespace NOT IN " + TEMP),
            Map.entry("pg_enum", "true"),
            Map.entry("pg_description", "true"),
            Map.entry("pg_extension", "true"),
            Map.entry("pg_event_trigger", "true"),
            Map.entry("pg_default_acl", "true"),
            Map.entry("pg_publication", "true"),
            Map.entry("pg_publication_rel", "true"),
            Map.entry("pg_collation", "collnamespace NOT IN " + TEMP),
            Map.entry("pg_operator", "oprnamespace NOT IN " + TEMP),
            Map.entry("pg_cast", "true")));

    private static String fingerprints(Map<String, String> catalogs) {
        return new TreeMap<>(catalogs).entrySet().stream()
                .map(e -> "SELECT '" + e.getKey() + "', count(*), coalesce(sum(hashint8extended(xmin::text::bigint, 0)), 0) "
                        + "FROM pg_catalog." + e.getKey() + " WHERE " + e.getValue())
                .collect(java.util.stream.Collectors.joining(" UNION ALL "));
    }

    /** The counters and sequences (call before taking the snapshot, in autocommit). */
    static PostgresWatermark readCounters(Connection c) throws SQLException {
        Map<String, String> m = new TreeMap<>();
        long db;
        boolean tracked;
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT d.oid, current_setting('track_counts')::bool "
                    + "FROM pg_database d WHERE d.datname = current_database()")) {
                rs.next();
                db = rs.getLong(1);
                tracked = rs.getBoolean(2);
            }
            try (ResultSet rs = st.executeQuery("SELECT relid, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables UNION ALL "
                    + "SELECT relid, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_sys_tables "
                    + "WHERE relid IN ('pg_catalog.pg_largeobject'::regclass, 'pg_catalog.pg_largeobject_metadata'::regclass)")) {
                while (rs.next()) {
                    m.put("rows " + rs.getLong(1), rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getLong(4));
                }
            }
            try (ResultSet rs = st.executeQuery(SCHEMA_FINGERPRINT)) {
                while (rs.next()) {
                    m.put("schema " + rs.getString(1), rs.getLong(2) + ":" + rs.getString(3));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT format('%I.%I', schemaname, sequencename)::regclass::oid, "
                    + "last_value FROM pg_sequences")) {
                while (rs.next()) {
                    m.put("sequence " + rs.getLong(1), String.valueOf(rs.getObject(2)));
                }
            }
        }
        return new PostgresWatermark(db, tracked, m);
    }

    /** Adds every table's relfilenode (call inside the snapshot, or when checking). */
    PostgresWatermark withFiles(Connection c) throws SQLException {
        Map<String, String> m = new TreeMap<>(entries);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT c.oid, c.relfilenode "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                + "c.relpersistence <> 't' AND " + PostgresIntrospector.USER_RELATION)) {
            while (rs.next()) {
                m.put("file " + rs.getLong(1), String.valueOf(rs.getLong(2)));
            }
        }
        return new PostgresWatermark(databaseOid, tracked, m);
    }

    /** Reads live as it is now, for comparison (every other session on live must have ended). */
    static PostgresWatermark readNow(Connection c) throws SQLException {
        return readCounters(c).withFiles(c);
    }

    String encode() {
        StringBuilder sb = new StringBuilder(HEADER).append(" db=").append(databaseOid).append(" tracked=").append(tracked);
        entries.forEach((k, v) -> sb.append('\n').append(k).append('=').append(v));
        return sb.toString();
    }

    static PostgresWatermark decode(String text) {
        if (text == null || !text.startsWith(HEADER + " ")) {
            throw new IllegalArgumentException("not a PostgreSQL watermark: " + text);
        }
        String[] lines = text.split("\n");
        String[] head = lines[0].split(" ");
        Map<String, String> m = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].lastIndexOf('=');
            m.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        return new PostgresWatermark(Long.parseLong(head[1].substring(3)), Boolean.parseBoolean(head[2].substring(8)), m);
    }

    /** What changed between this (the snapshot) and {@code now}; empty when live took no write. */
    List<String> changesTo(PostgresWatermark now) {
        List<String> out = new ArrayList<>();
        if (now.databaseOid != databaseOid) {
            out.add("the live database was replaced (oid " + databaseOid + " is now " + now.databaseOid + ")");
        }
        for (var e : entries.entrySet()) {
            String v = now.entries.get(e.getKey());
            if (v == null) {
                out.add(e.getKey() + " is gone");
            } else if (!v.equals(e.getValue())) {
                out.add(e.getKey() + " was " + e.getValue() + ", is " + v);
            }
        }
        now.entries.keySet().stream().filter(k -> !entries.containsKey(k)).forEach(k -> out.add(k + " is new"));
        return out;
    }
}
