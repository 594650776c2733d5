package dev.promoter.dialects.postgresql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.ProgressListener;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * ({@link PostgresServer#create}). Every backup keeps them in {@value #FILE}, and a restore applies them to the
 * database it restored into (a role the target server lacks gets a warning with the statement to run later).
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

    /** The file a backup keeps the database's properties in (both layouts), applied by a restore. */
    static final String FILE = "database.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One database's properties: {@code privileges} null when the database has the default ones (nothing to
     * change), {@code owner} the role that owned it (its grants go to the owner of the database they are applied to).
     */
    record Properties(String database, String owner, List<Setting> settings, List<Grant> privileges,
                      int connectionLimit, String comment) {
        boolean isEmpty() {
            return settings.isEmpty() && privileges == null && connectionLimit == -1 && comment == null;
        }
    }

    /** One privilege on the database; {@code grantee} null for PUBLIC. */
    record Grant(String grantee, String privilege, boolean grantable) {
    }

    /** What {@link #apply} did, as short names for the run's messages, and what it could not do, with why. */
    record Applied(List<String> done, List<String> skipped) {
    }

    /** Copies live's database properties onto staging (same server: any failure is an error); returns what was copied. */
    static List<String> copy(Connection admin, String live, String staging) throws SQLException {
        return apply(admin, read(admin, live), staging, false).done();
    }

    /** Reads {@code database}'s properties from the shared catalogs (any database of the server will do for {@code c}). */
    static Properties read(Connection c, String database) throws SQLException {
        List<Setting> settings = settings(c, database);
        try (PreparedStatement ps = c.prepareStatement("SELECT d.datacl IS NULL, d.datconnlimit, "
                + "shobj_description(d.oid, 'pg_database'), r.rolname FROM pg_database d "
                + "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("database \"" + database + "\" does not exist", "3D000");
                }
                List<Grant> privileges = rs.getBoolean(1) ? null : privileges(c, database);
                return new Properties(database, rs.getString(4), settings, privileges, rs.getInt(2), rs.getString(3));
            }
        }
    }

    /**
     * Applies {@code p} to database {@code target}. With {@code lenient} (a restore, maybe on another server), a
     * setting or grant naming a role the server lacks, or a statement the server refuses, is skipped and listed in
     * {@link Applied#skipped} with the statement to run by hand; otherwise the first failure is thrown.
     */
    static Applied apply(Connection admin, Properties p, String target, boolean lenient) throws SQLException {
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        String q = PostgresDialect.quoteIdentifier(target);
        Set<String> roles = roles(admin);
        try (Statement st = admin.createStatement()) {
            for (Setting s : p.settings()) {
                String sql = (s.role() == null ? "ALTER DATABASE " + q
                        : "ALTER ROLE " + PostgresDialect.quoteIdentifier(s.role()) + " IN DATABASE " + q)
                        + " SET " + PostgresDialect.quoteIdentifier(s.name()) + " = " + value(s.name(), s.value());
                if (run(st, sql, s.role(), roles, lenient, skipped)) {
                    done.add((s.role() == null ? "" : "role " + s.role() + ": ") + s.name());
                }
            }
            if (p.privileges() != null) {
                String owner = owner(admin, target);
                run(st, "REVOKE ALL ON DATABASE " + q + " FROM PUBLIC", null, roles, lenient, skipped);
                run(st, "REVOKE ALL ON DATABASE " + q + " FROM " + PostgresDialect.quoteIdentifier(owner), null, roles,
                        lenient, skipped);
                for (Grant g : p.privileges()) {
                    if (!Set.of("CONNECT", "CREATE", "TEMPORARY").contains(g.privilege())) {
                        continue; // none other exists on a database; never pasted unchecked
                    }
                    // the old owner's own privileges are the new owner's (the same role on staging)
                    String role = g.grantee() == null ? null : g.grantee().equals(p.owner()) ? owner : g.grantee();
                    run(st, "GRANT " + g.privilege() + " ON DATABASE " + q + " TO " + (role == null ? "PUBLIC"
                            : PostgresDialect.quoteIdentifier(role)) + (g.grantable() ? " WITH GRANT OPTION" : ""),
                            role, roles, lenient, skipped);
                }
                done.add("privileges");
            }
            if (p.connectionLimit() != -1 && run(st, "ALTER DATABASE " + q + " CONNECTION LIMIT " + p.connectionLimit(),
                    null, roles, lenient, skipped)) {
                done.add("connection limit " + p.connectionLimit());
            }
            if (p.comment() != null && run(st, "COMMENT ON DATABASE " + q + " IS "
                    + PostgresDialect.quoteLiteral(p.comment()), null, roles, lenient, skipped)) {
                done.add("comment");
            }
        }
        return new Applied(done, skipped);
    }

    /** Runs {@code sql}; when lenient, a missing {@code role} or a refusal is noted in {@code skipped} instead. */
    private static boolean run(Statement st, String sql, String role, Set<String> roles, boolean lenient,
                               List<String> skipped) throws SQLException {
        if (lenient && role != null && !roles.contains(role)) {
            skipped.add("role \"" + role + "\" does not exist on this server; create it, then run: " + sql);
            return false;
        }
        try {
            st.execute(sql);
            return true;
        } catch (SQLException e) {
            if (!lenient) {
                throw e;
            }
            skipped.add("the server refused " + sql + " (" + Connections.describe(e) + ")");
            return false;
        }
    }

    /** Writes {@code database}'s properties into a backup that a clone writes ({@value #FILE}). */
    static void keep(BackupWriter backup, Connection c, String database) throws SQLException, IOException {
        Properties p = read(c, database);
        try (OutputStream out = backup.create(FILE)) {
            JSON.writeValue(out, p);
        }
    }

    /** Writes {@code database}'s properties into backup folder {@code dir} ({@value #FILE}). */
    static void keep(Path dir, Connection c, String database) throws SQLException, IOException {
        JSON.writeValue(dir.resolve(FILE).toFile(), read(c, database));
    }

    /** The properties a backup holds, or null for a backup written before they were kept. */
    static Properties readFile(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), Properties.class);
        } catch (IOException e) {
            throw PromoterException.badInput("Unreadable " + file + ": " + e.getMessage());
        }
    }

    /**
     * A restore's last step: the backed-up database's properties onto the restored one, what could not be
     * applied reported as warnings (the rows are all restored either way).
     */
    static void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        Properties p = readFile(dir);
        if (p == null || p.isEmpty()) {
            return;
        }
        String db = PostgresUrl.parse(target.url()).database();
        try (Connection c = Connections.open(target)) {
            Applied a = apply(c, p, db, true);
            if (!a.done().isEmpty()) {
                progress.message("Applied the database properties of \"" + p.database() + "\" to \"" + db + "\": "
                        + String.join(", ", a.done()));
            }
            a.skipped().forEach(s -> progress.message("WARNING: a database property of \"" + p.database()
                    + "\" was not applied: " + s));
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to apply the database properties of " + dir.resolve(FILE) + " to \""
                    + db + "\": " + Connections.describe(e) + ". Every row is restored; apply them by hand", e);
        }
    }

    private static Set<String> roles(Connection c) throws SQLException {
        Set<String> out = new java.util.HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String owner(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname FROM pg_database d JOIN pg_roles r "
                + "ON r.oid = d.datdba WHERE d.datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("database \"" + database + "\" does not exist", "3D000");
                }
                return rs.getString(1);
            }
        }
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

    /** The database's explicit privileges (its ACL exploded), grantors left out. */
    private static List<Grant> privileges(Connection c, String database) throws SQLException {
        List<Grant> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname, a.privilege_type, a.is_grantable "
                + "FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
                + "WHERE d.datname = ? ORDER BY coalesce(r.rolname, ''), 2")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Grant(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        return out;
    }
}
