package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Preflight checks of what the login may do with live's objects: both strategies read every table, sequence and
 * large object, and the online clone restores live's schema into staging with every owner (pg_dump's
 * {@code ALTER ... OWNER TO}), which needs the login to be a member of each owning role. Without these checks the
 * clone stops part way, at the first such object; here every one is named, with the grant, before anything is
 * copied.
 */
final class PostgresOwnership {
    /** At most this many objects are named in a refusal; the rest are counted. */
    static final int NAMED = 10;

    /**
     * The objects of the current database and their owners: pg_shdepend's owner rows, plus the objects the bootstrap
     * superuser owns, which it does not record (that role is pinned). Objects made by initdb (oids below 16384),
     * indexes and TOAST tables (they follow their table), temporary objects, row and array types (they follow their
     * table or element type) and extensions with their members (CREATE EXTENSION makes them) are left out. "A
     * member" is what ALTER ... OWNER asks of the login: membership, from PostgreSQL 16 on with the SET option.
     */
    static final String OWNED = "WITH owned AS ("
            + "SELECT classid, objid, refobjid AS owner FROM pg_shdepend WHERE deptype = 'o' "
            + "AND refclassid = 'pg_authid'::regclass AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            + "UNION ALL SELECT 'pg_class'::regclass, oid, relowner FROM pg_class WHERE relowner = 10 AND oid >= 16384 "
            + "UNION ALL SELECT 'pg_namespace'::regclass, oid, nspowner FROM pg_namespace WHERE nspowner = 10 AND oid >= 16384 "
            + "UNION ALL SELECT 'pg_proc'::regclass, oid, proowner FROM pg_proc WHERE proowner = 10 AND oid >= 16384 "
            + "UNION ALL SELECT 'pg_type'::regclass, oid, typowner FROM pg_type WHERE typowner = 10 AND oid >= 16384 "
            + "UNION ALL SELECT 'pg_largeobject'::regclass, oid, lomowner FROM pg_largeobject_metadata WHERE lomowner = 10), "
            + "foreign_owned AS (SELECT o.classid, o.objid, o.owner FROM owned o WHERE NOT pg_has_role(o.owner, "
            + "CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) "
            + "AND o.classid <> 'pg_extension'::regclass "
            + "AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = o.classid AND e.objid = o.objid AND e.deptype = 'e') "
            + "AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE o.classid = 'pg_class'::regclass AND c.oid = o.objid "
            + "AND (c.relpersistence = 't' OR c.relkind IN ('i', 'I', 't'))) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE o.classid = 'pg_namespace'::regclass AND n.oid = o.objid "
            + "AND (n.nspname ~ '^pg_(toast_)?temp_' OR n.nspname = 'pg_toast')) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE o.classid = 'pg_type'::regclass AND t.oid = o.objid "
            + "AND (t.typrelid <> 0 OR (t.typcategory = 'A' AND t.typelem <> 0) "
            + "OR t.typnamespace IN (SELECT oid FROM pg_namespace WHERE nspname ~ '^pg_(toast_)?temp_')))) ";

    private PostgresOwnership() {
    }

    /**
     * Refuses when live has objects owned by roles the login is not a member of (the online clone's schema restore
     * would stop at the first one with "must be member of role"), naming them, their owners and the GRANT.
     */
    static void refuseForeignOwners(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery(OWNED + "SELECT count(*), (SELECT string_agg(d, ', ') FROM (SELECT "
                + "format('%s (owner %I)', pg_describe_object(classid, objid, 0), pg_get_userbyid(owner)) AS d "
                + "FROM foreign_owned ORDER BY pg_describe_object(classid, objid, 0) LIMIT " + NAMED + ") s), "
                + "string_agg(DISTINCT quote_ident(pg_get_userbyid(owner)), ', '), quote_ident(current_user), "
                + "current_setting('server_version_num')::int >= 160000 FROM foreign_owned")) {
            rs.next();
            long count = rs.getLong(1);
            if (count > 0) {
                // from 16 on a membership without the SET option does not allow ALTER ... OWNER TO, and a plain GRANT
                // of a membership that exists leaves its options as they are ("has already been granted")
                boolean set = rs.getBoolean(5);
                throw PromoterException.refused("The login " + rs.getString(4) + (set ? " may not SET ROLE to"
                        : " is not a member of") + " the role(s) " + rs.getString(3) + " that own " + count
                        + " object(s) of live \"" + db + "\": " + rs.getString(2)
                        + (count > NAMED ? " and " + (count - NAMED) + " more" : "") + ". The online clone recreates "
                        + "every object in staging with its owner, which only a member of the owning role"
                        + (set ? " with the SET option" : "") + " may do. Make the login a member (GRANT " + rs.getString(3)
                        + " TO " + rs.getString(4) + (set ? " WITH SET TRUE" : "") + "), run as a "
                        + "superuser, or use --clone-strategy template (the server copies live's files, owners "
                        + "included; connections to live are held off meanwhile). Nothing was copied");
            }
        }
    }

    /**
     * Objects whose owner may not create in their schema once staging is being restored: pg_restore gives each object
     * its owner before it restores the schemas' grants, and for a login that is not a superuser PostgreSQL then
     * requires the new owner to have CREATE on the schema, which there only the schema's owner (and its members) have.
     * {@code public} exists before the restore, owned by staging's owner (the login, which creates staging) with
     * staging's own grants, read here as the grants of live's {@code public} to roles other than its owner. The right
     * to create comes with the privileges a role inherits (USAGE in pg_has_role's terms). Relations, types and
     * functions are checked, with the exclusions of {@link #OWNED}.
     */
    static final String MISPLACED = "WITH objects AS ("
            + "SELECT c.relname AS name, c.relnamespace AS nsp, c.relowner AS owner, CASE c.relkind WHEN 'v' THEN 'view' "
            + "WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'table' END "
            + "AS kind, 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c WHERE c.oid >= 16384 "
            + "AND c.relpersistence <> 't' AND c.relkind NOT IN ('i', 'I', 't', 'c') "
            + "UNION ALL SELECT t.typname, t.typnamespace, t.typowner, 'type', 'pg_type'::regclass, t.oid FROM pg_type t "
            + "WHERE t.oid >= 16384 AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') "
            + "AND NOT (t.typcategory = 'A' AND t.typelem <> 0) "
            + "UNION ALL SELECT p.proname, p.pronamespace, p.proowner, 'function', 'pg_proc'::regclass, p.oid FROM pg_proc p "
            + "WHERE p.oid >= 16384) "
            + "SELECT o.kind, n.nspname, o.name, pg_get_userbyid(o.owner) AS owner, CASE WHEN n.oid = 2200 "
            + "THEN 'staging''s owner' ELSE quote_ident(pg_get_userbyid(n.nspowner)) END AS schema_owner "
            + "FROM objects o JOIN pg_namespace n ON n.oid = o.nsp WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' "
            + "AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = o.classid AND e.objid = o.objid AND e.deptype = 'e') "
            + "AND CASE WHEN n.oid = 2200 THEN NOT (pg_has_role(o.owner, current_user, 'USAGE') OR EXISTS (SELECT 1 "
            + "FROM aclexplode(n.nspacl) a WHERE a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner "
            + "AND CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(o.owner, a.grantee, 'USAGE') END)) "
            + "ELSE NOT pg_has_role(o.owner, n.nspowner, 'USAGE') END";

    /**
     * Refuses, for a login that is not a superuser, objects whose owner could not be given them in staging
     * ({@link #MISPLACED}), naming them with the grant.
     */
    static void refuseMisplacedOwners(Statement st, String db) throws SQLException {
        String m = "(" + MISPLACED + ") m";
        try (ResultSet rs = st.executeQuery("SELECT count(*), (SELECT string_agg(format('%s %I.%I (owner %I; the schema: "
                + "%s)', kind, nspname, name, owner, schema_owner), ', ') FROM (SELECT * FROM " + m
                + " ORDER BY nspname, name LIMIT " + NAMED + ") s) FROM " + m)) {
            rs.next();
            long count = rs.getLong(1);
            if (count > 0) {
                throw PromoterException.refused(count + " object(s) of live \"" + db + "\" belong to a role that may not "
                        + "create in their schema: " + rs.getString(2) + (count > NAMED ? " and " + (count - NAMED)
                        + " more" : "") + ". The online clone restores each object with its owner before it restores "
                        + "the schemas' grants, and without a superuser PostgreSQL requires that owner to have CREATE on "
                        + "the schema by then, which only the schema's owner and its members have. Run as a superuser, "
                        + "use --clone-strategy template (the server copies live's files; connections to live are held "
                        + "off meanwhile), or move each object into a schema its owner owns (ALTER ... SET SCHEMA). "
                        + "Nothing was copied");
            }
        }
    }

    /**
     * The clone, the backup and verify read every table and sequence: one the login may not read (owned by a role it
     * is not a member of and not granted SELECT, or in a schema it has no USAGE of) would fail the clone part way.
     * Refused here, naming the tables, their owners and the grant.
     */
    static void refuseUnreadableTables(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("WITH unread AS (SELECT n.nspname, c.relname, c.relkind, "
                + "pg_get_userbyid(c.relowner) AS owner, pg_get_userbyid(n.nspowner) AS schema_owner, "
                + "has_table_privilege(c.oid, 'SELECT') AS can_select, has_schema_privilege(n.oid, 'USAGE') AS can_use "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'S') "
                + "AND c.relpersistence <> 't' AND " + PostgresIntrospector.USER_RELATION + ") "
                + "SELECT string_agg(format('%s %I.%I (owner %I%s)', CASE relkind WHEN 'S' THEN 'sequence' ELSE 'table' END, "
                + "nspname, relname, owner, CASE WHEN can_use THEN '' ELSE format(', no USAGE on schema %I', nspname) END), "
                + "', ' ORDER BY nspname, relname), (SELECT string_agg(DISTINCT quote_ident(r), ', ') FROM unread u, "
                + "unnest(ARRAY[CASE WHEN NOT u.can_select THEN u.owner END, CASE WHEN NOT u.can_use THEN u.schema_owner END]) r), "
                + "quote_ident(current_user) FROM unread WHERE NOT (can_select AND can_use)")) {
            rs.next();
            if (rs.getString(1) != null) {
                throw PromoterException.refused("The login " + rs.getString(3) + " may not read tables of live \"" + db
                        + "\": " + rs.getString(1) + ". The clone, the backup and verify read every table and sequence."
                        + " Make the login a member of the owning roles (GRANT " + rs.getString(2) + " TO "
                        + rs.getString(3) + "), grant it SELECT on them and USAGE on their schemas, or run as a"
                        + " superuser. Nothing was copied");
            }
        }
    }

    /**
     * Refuses when live has large objects the login may not read (neither a member of the owner nor granted SELECT,
     * and {@code lo_compat_privileges} off): the clone and the backup read every one.
     */
    static void refuseUnreadableLargeObjects(Statement st, String db) throws SQLException {
        try (ResultSet rs = st.executeQuery("WITH unread AS (SELECT oid, lomowner FROM pg_largeobject_metadata m "
                + "WHERE NOT current_setting('lo_compat_privileges')::boolean AND NOT pg_has_role(lomowner, 'USAGE') "
                + "AND NOT EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a WHERE a.privilege_type = 'SELECT' "
                + "AND CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(a.grantee, 'USAGE') END)) "
                + "SELECT count(*), (SELECT string_agg(format('%s (owner %I)', oid, pg_get_userbyid(lomowner)), ', ') "
                + "FROM (SELECT oid, lomowner FROM unread ORDER BY oid LIMIT " + NAMED + ") s), "
                + "string_agg(DISTINCT quote_ident(pg_get_userbyid(lomowner)), ', '), quote_ident(current_user) FROM unread")) {
            rs.next();
            long count = rs.getLong(1);
            if (count > 0) {
                throw PromoterException.refused("The login " + rs.getString(4) + " may not read " + count
                        + " large object(s) of live \"" + db + "\": " + rs.getString(2)
                        + (count > NAMED ? " and " + (count - NAMED) + " more" : "") + ". The clone and the backup read "
                        + "every large object. Make the login a member of the owning role(s) (GRANT " + rs.getString(3)
                        + " TO " + rs.getString(4) + "), grant it SELECT on them (GRANT SELECT ON LARGE OBJECT oid TO "
                        + rs.getString(4) + "), or run as a superuser. Nothing was copied");
            }
        }
    }
}
