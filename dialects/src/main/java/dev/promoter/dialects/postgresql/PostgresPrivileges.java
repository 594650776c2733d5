package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Preflight checks of what the login must be allowed to do with live itself, besides its objects
 * ({@link PostgresOwnership}): create databases (staging, and the scratch database of verify's fresh install),
 * act as live's owner (the write freeze and the template copy's hold-off are {@code ALTER DATABASE} on live, and
 * the switch renames it), set the freeze's mark (a custom parameter, PostgreSQL 15 on a superuser's unless
 * granted), and end the sessions on live (the freeze ends them once, the switch again). Without these checks the
 * run fails in its clone stage or, for sessions that come later, at its switch; here each is named with the
 * grant that fixes it before anything is made. A superuser passes them all.
 */
final class PostgresPrivileges {
    private PostgresPrivileges() {
    }

    /** Refuses (live unchanged) what the login on {@code st} may not do for a run on live {@code db}. */
    static void refuseMissing(Statement st, String db, boolean freezeWrites) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT r.rolsuper, r.rolcreatedb, quote_ident(current_user), "
                + "pg_has_role(current_user, d.datdba, 'USAGE'), quote_ident(pg_get_userbyid(d.datdba)), "
                + "current_setting('server_version_num')::int FROM pg_roles r, pg_database d "
                + "WHERE r.rolname = current_user AND d.datname = current_database()")) {
            if (!rs.next() || rs.getBoolean(1)) {
                return;
            }
            String login = rs.getString(3);
            if (!rs.getBoolean(2)) {
                throw PromoterException.refused("The login " + login + " may not create databases, and a run creates "
                        + "its staging database and a scratch database (the fresh install verify compares with) on "
                        + "live's server. As a superuser: ALTER ROLE " + login + " CREATEDB; or run as a superuser. "
                        + "Nothing was copied");
            }
            if (!rs.getBoolean(4)) {
                String owner = rs.getString(5);
                throw PromoterException.refused("The login " + login + " does not act as the owner of live \"" + db
                        + "\" (its owner is " + owner + "), and only the owner or a superuser may freeze its writes "
                        + "and hold connections off (ALTER DATABASE ... SET, ALLOW_CONNECTIONS) or rename it at the "
                        + "switch. Run as " + owner + " or a superuser, or as a superuser: GRANT " + owner + " TO "
                        + login + ". Nothing was copied");
            }
            if (freezeWrites && rs.getInt(6) >= 150000) {
                refuseUnsettableMark(st, login);
            }
        }
        refuseUnendableSessions(st, db);
    }

    /** The freeze's mark, a custom parameter set on live: PostgreSQL 15 on, a superuser's unless granted. */
    private static void refuseUnsettableMark(Statement st, String login) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT has_parameter_privilege('" + PostgresWriteFreeze.MARK + "', 'SET')")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw PromoterException.refused("The login " + login + " may not set the custom parameter "
                        + PostgresWriteFreeze.MARK + " on a database, in which the write freeze records what it "
                        + "replaced, so that the next run can lift a freeze a killed run left (from PostgreSQL 15 on "
                        + "that is a superuser's unless granted). As a superuser run once: GRANT SET ON PARAMETER "
                        + PostgresWriteFreeze.MARK + " TO " + login + "; or run as a superuser, or pass --allow-writes "
                        + "(no freeze: the switch then proves no write happened or refuses). Nothing was copied");
            }
        }
    }

    /**
     * Sessions on live now that the login could not end: a superuser's, or another role's without
     * pg_signal_backend (pg_terminate_backend's rules). The freeze and the switch would fail on them.
     */
    private static void refuseUnendableSessions(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*), string_agg(a.pid || ' ' || quote_ident(a.usename) "
                + "|| coalesce(' (' || nullif(a.application_name, '') || ')', ''), ', ' ORDER BY a.pid), "
                + "quote_ident(current_user), bool_or(s.rolsuper) "
                + "FROM pg_stat_activity a JOIN pg_roles s ON s.oid = a.usesysid "
                + "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() "
                // another role's rows show no backend_type to a login without pg_read_all_stats
                + "AND coalesce(a.backend_type, 'client backend') = 'client backend' "
                + "AND (s.rolsuper OR NOT pg_has_role(current_user, a.usesysid, 'USAGE') "
                + "AND NOT pg_has_role(current_user, 'pg_signal_backend', 'USAGE'))")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return;
            }
            String login = rs.getString(3);
            throw PromoterException.refused("Live \"" + db + "\" has " + rs.getLong(1) + " session(s) that the login "
                    + login + " may not end: " + rs.getString(2) + ". A run ends live's sessions when it freezes "
                    + "writes and again at the switch. Another role's sessions need a superuser or a member of "
                    + "pg_signal_backend (as a superuser: GRANT pg_signal_backend TO " + login + ")"
                    + (rs.getBoolean(4) ? "; a superuser's sessions only a superuser may end: end them, or run as a "
                    + "superuser" : "") + ". Nothing was copied");
        }
    }
}
