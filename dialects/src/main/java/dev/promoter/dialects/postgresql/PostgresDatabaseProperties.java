package dev.promoter.dialects.postgresql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What belongs to the database itself rather than to anything in it, which neither pg_dump's sections (without
 * {@code --create}) nor {@code CREATE DATABASE ... TEMPLATE} carry, and which applications notice when staging
 * becomes live: settings ({@code ALTER DATABASE live SET search_path ...}, and {@code ALTER ROLE r IN DATABASE
 * live SET ...}), privileges ({@code REVOKE CONNECT ... FROM PUBLIC}, {@code GRANT CONNECT ... TO app}), the
 * comment and the connection limit. Copied onto staging at the end of a clone, so the migration and verify
 * already run under live's settings. Owner, encoding and locale are set when staging is created
 * ({@link PostgresServer#create}).
 * <p>
 * The write freeze's own settings on live ({@link PostgresWriteFreeze#MARK} and the
 * {@code default_transaction_read_only} it set) are not copied; the value the freeze replaced is.
 */
final class PostgresDatabaseProperties {
    /** Settings whose value is a list of separately quoted elements (as pg_dump's variable_is_guc_list_quote). */
    private static final Set<String> LIST_QUOTE = Set.of("local_preload_libraries", "search_path",
            "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");
    private static final String READ_ONLY = "default_transaction_read_only";

    private PostgresDatabaseProperties() {
    }

    /** Copies live's database properties onto staging; returns what was copied, for the run's messages. */
    static List<String> copy(Connection admin, String live, String staging) throws SQLException {
        List<String> done = new ArrayList<>();
        String target = PostgresDialect.quoteIdentifier(staging);
        try (Statement st = admin.createStatement()) {
            for (Setting s : settings(admin, live)) {
                st.execute((s.role() == null ? "ALTER DATABASE " + target
                        : "ALTER ROLE " + PostgresDialect.quoteIdentifier(s.role()) + " IN DATABASE " + target)
                        + " SET " + PostgresDialect.quoteIdentifier(s.name()) + " = " + value(s.name(), s.value()));
                done.add((s.role() == null ? "" : "role " + s.role() + ": ") + s.name());
            }
            try (PreparedStatement ps = admin.prepareStatement("SELECT d.datacl IS NULL, d.datconnlimit, "
                    + "shobj_description(d.oid, 'pg_database'), r.rolname FROM pg_database d "
                    + "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ?")) {
                ps.setString(1, live);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return done;
                    }
                    if (!rs.getBoolean(1)) {
                        copyPrivileges(admin, st, live, target, rs.getString(4));
                        done.add("privileges");
                    }
                    if (rs.getInt(2) != -1) {
                        st.execute("ALTER DATABASE " + target + " CONNECTION LIMIT " + rs.getInt(2));
                        done.add("connection limit " + rs.getInt(2));
                    }
                    if (rs.getString(3) != null) {
                        st.execute("COMMENT ON DATABASE " + target + " IS " + PostgresDialect.quoteLiteral(rs.getString(3)));
                        done.add("comment");
                    }
                }
            }
        }
        return done;
    }

    /** One {@code name=value} of pg_db_role_setting; {@code role} null for the whole database. */
    record Setting(String role, String name, String value) {
    }

    /** Live's settings, without the write freeze's (the value it replaced instead). */
    static List<Setting> settings(Connection c, String database) throws SQLException {
        List<Setting> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname, s.setconfig FROM pg_db_role_setting s "
                + "JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole "
                + "WHERE d.datname = ? ORDER BY 1 NULLS FIRST")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String role = rs.getString(1);
                    Array config = rs.getArray(2);
                    List<String[]> entries = new ArrayList<>();
                    String frozenFrom = null;
                    for (Object o : (Object[]) config.getArray()) {
                        String entry = (String) o;
                        int eq = entry.indexOf('=');
                        String name = entry.substring(0, eq);
                        String value = entry.substring(eq + 1);
                        if (role == null && name.equalsIgnoreCase(PostgresWriteFreeze.MARK)) {
                            frozenFrom = value;
                        } else {
                            entries.add(new String[] {name, value});
                        }
                    }
                    for (String[] e : entries) {
                        if (role == null && frozenFrom != null && e[0].equalsIgnoreCase(READ_ONLY)) {
                            if (!frozenFrom.equals("none")) {
                                out.add(new Setting(null, e[0], frozenFrom));
                            }
                            continue;
                        }
                        out.add(new Setting(role, e[0], e[1]));
                    }
                }
            }
        }
        return out;
    }

    /** The value as SQL: one literal, or for list settings one literal per element (pg_dump's makeAlterConfigCommand). */
    static String value(String name, String stored) {
        if (!LIST_QUOTE.contains(name.toLowerCase(Locale.ROOT))) {
            return PostgresDialect.quoteLiteral(stored);
        }
        List<String> items = splitList(stored);
        if (items.isEmpty()) {
            return "''";
        }
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(PostgresDialect.quoteLiteral(i)));
        return String.join(", ", out);
    }

    /** A stored list value split at commas outside double quotes; quoted elements unquoted (SplitGUCList). */
    static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder item = new StringBuilder();
            if (s.charAt(i) == '"') {
                i++;
                while (i < n) {
                    char ch = s.charAt(i);
                    if (ch == '"') {
                        if (i + 1 < n && s.charAt(i + 1) == '"') {
                            item.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    item.append(ch);
                    i++;
                }
                while (i < n && s.charAt(i) != ',') {
                    i++;
                }
            } else {
                int start = i;
                while (i < n && s.charAt(i) != ',') {
                    i++;
                }
                item.append(s.substring(start, i).strip());
            }
            out.add(item.toString());
            i++; // the comma
        }
        return out;
    }

    /** Staging's privileges made live's: every default revoked, then each of live's grants given. */
    private static void copyPrivileges(Connection admin, Statement st, String live, String target, String owner)
            throws SQLException {
        st.execute("REVOKE ALL ON DATABASE " + target + " FROM PUBLIC");
        st.execute("REVOKE ALL ON DATABASE " + target + " FROM " + PostgresDialect.quoteIdentifier(owner));
        try (PreparedStatement ps = admin.prepareStatement("SELECT coalesce(r.rolname, ''), a.privilege_type, a.is_grantable "
                + "FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
                + "WHERE d.datname = ? ORDER BY 1, 2")) {
            ps.setString(1, live);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String privilege = rs.getString(2);
                    if (!Set.of("CONNECT", "CREATE", "TEMPORARY").contains(privilege)) {
                        continue; // none other exists on a database; never pasted unchecked
                    }
                    String grantee = rs.getString(1).isEmpty() ? "PUBLIC" : PostgresDialect.quoteIdentifier(rs.getString(1));
                    st.execute("GRANT " + privilege + " ON DATABASE " + target + " TO " + grantee
                            + (rs.getBoolean(3) ? " WITH GRANT OPTION" : ""));
                }
            }
        }
    }

}
