package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.ScriptChunk;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresDialectTest {
    /** Written the way pg_dump and DBAs write scripts: SET lines, dollar quotes, DO blocks, comments with semicolons. */
    static final String NASTY = """
            --
            -- PostgreSQL database dump; with a semicolon in a comment
            --
            \\restrict abc123
            SET statement_timeout = 0;
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET check_function_bodies = false;
            /* a block comment; /* nested; */ still comment; */
            CREATE TABLE public."semi;colon" (id int GENERATED ALWAYS AS IDENTITY, note text, "select" text);
            CREATE FUNCTION public.stamp() RETURNS trigger
                LANGUAGE plpgsql
                AS $$
            BEGIN
              NEW.note := coalesce(NEW.note, 'a;b') || ';';
              RETURN NEW;
            END;
            $$;
            CREATE TRIGGER trg BEFORE INSERT ON public."semi;colon" FOR EACH ROW EXECUTE FUNCTION public.stamp();
            DO $body$
            BEGIN
              INSERT INTO public."semi;colon" (note) VALUES ('from do; block');
              RAISE NOTICE 'done; %', $x$not;a;tag$x$;
            END
            $body$;
            CREATE FUNCTION public.two() RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT 1;
              SELECT CASE WHEN true THEN 2 ELSE 3 END;
            END;
            INSERT INTO public."semi;colon" (note, "select") VALUES (E'it\\'s;', 'x$1;');
            INSERT INTO public."semi;colon" (note) VALUES ((SELECT 'paren;' || public.two()::text));
            \\unrestrict abc123
            """;

    private final PostgresTestDatabases dbs = new PostgresTestDatabases();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    @Test
    void answersCapabilityQuestions() throws Exception {
        PostgresDialect d = new PostgresDialect();
        assertThat(d.name()).isEqualTo(DialectName.POSTGRESQL);
        assertThat(d.acceptsUrl("jdbc:postgresql://h:5432/db")).isTrue();
        assertThat(d.acceptsUrl("jdbc:mysql://h/db")).isFalse();
        assertThat(d.supportsDdlTransactions()).isTrue();
        assertThat(d.quote("Order \"Items\"")).isEqualTo("\"Order \"\"Items\"\"\"");
        assertThat(Dialects.load().get(DialectName.POSTGRESQL)).isInstanceOf(PostgresDialect.class);
        try (Connection c = Connections.open(dbs.admin)) {
            assertThat(d.recognizes(c.getMetaData())).isTrue();
            assertThat(Dialects.load().detect(c)).isInstanceOf(PostgresDialect.class);
        }
    }

    @Test
    void splitsLikePsql() {
        List<ScriptChunk> chunks = new PostgresDialect().chunks(NASTY);
        assertThat(chunks).allMatch(c -> c.delimiter() == null);
        assertThat(chunks).hasSize(12);
        assertThat(chunks.get(6).sql()).startsWith("CREATE FUNCTION public.stamp()").endsWith("$$");
        assertThat(chunks.get(8).sql()).contains("$x$not;a;tag$x$").endsWith("$body$");
        assertThat(chunks.get(9).sql()).startsWith("CREATE FUNCTION public.two()").endsWith("END");
        assertThat(chunks).noneMatch(c -> c.sql().contains("restrict"));
    }

    @Test
    void refusesOtherPsqlMetaCommands() {
        assertThatThrownBy(() -> new PostgresDialect().chunks("SELECT 1;\n\\connect other\nSELECT 2;"))
                .isInstanceOf(PromoterException.class).hasMessageContaining("\\connect").hasMessageContaining("Line 2");
        assertThatThrownBy(() -> new PostgresDialect().chunks("SELECT $$ never closed;"))
                .isInstanceOf(PromoterException.class).hasMessageContaining("Unterminated dollar-quoted string $$");
    }

    @Test
    void liquibaseRunsANastyScript(@TempDir Path tree) throws Exception {
        Path script = tree.resolve("prod/1.0.0/postgresql/migration.sql");
        Files.createDirectories(script.getParent());
        Files.writeString(script, NASTY);
        Dialect dialect = new PostgresDialect();
        MigrationPlan plan = new Planner(SqlTree.load(tree).product("prod")).install(Version.parse("1.0.0"),
                DialectName.POSTGRESQL);
        String db = dbs.create("pg_split");
        try (Connection c = dbs.open(db)) {
            new LiquibaseMigrator(dialect).update(c, plan, plan.scripts(), ScriptListener.NONE);
        }
        try (Connection c = dbs.open(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(note || '|' || coalesce(\"select\", '-'), ',' ORDER BY id) "
                     + "FROM \"semi;colon\"")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("from do; block;|-,it's;;|x$1;,paren;2;|-");
        }
        try (Connection c = dbs.open(db)) {
            assertThat(new LiquibaseMigrator(dialect).pending(c, plan)).isEmpty();
        }
    }

    /** One foreign key column pair as getImportedKeys reports it. */
    private static String keyRow(ResultSet rs) throws java.sql.SQLException {
        return rs.getString("FKTABLE_SCHEM") + "." + rs.getString("FKTABLE_NAME") + "." + rs.getString("FK_NAME") + "#"
                + rs.getInt("KEY_SEQ") + ":" + rs.getString("FKCOLUMN_NAME") + "->" + rs.getString("PKTABLE_SCHEM") + "."
                + rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME");
    }

    @Test
    void theDriverListsEveryForeignKeyAtOnceAsItDoesTableByTable() throws Exception {
        assertThat(new PostgresDialect().listsAllForeignKeysAtOnce()).isTrue();
        PostgresTestDatabases dbs = new PostgresTestDatabases();
        try {
            String db = dbs.create("pg_fks");
            dbs.exec(db, "CREATE SCHEMA \"Other\"; CREATE TABLE p (a int, b int, PRIMARY KEY (a, b)); "
                    + "CREATE TABLE \"Other\".\"Parent Two\" (id int PRIMARY KEY); "
                    + "CREATE TABLE c1 (x int, y int, z int, CONSTRAINT same FOREIGN KEY (y, x) REFERENCES p (a, b), "
                    + "CONSTRAINT \"to Two\" FOREIGN KEY (z) REFERENCES \"Other\".\"Parent Two\"); "
                    + "CREATE TABLE \"Other\".c2 (u int, v int, CONSTRAINT same FOREIGN KEY (u, v) REFERENCES p (a, b)); "
                    + "CREATE TABLE lone (id int PRIMARY KEY)");
            try (Connection c = dbs.open(db)) {
                List<String> oneByOne = new java.util.ArrayList<>();
                for (String[] t : List.of(new String[] {"public", "c1"}, new String[] {"Other", "c2"},
                        new String[] {"public", "lone"}, new String[] {"public", "p"}, new String[] {"Other", "Parent Two"})) {
                    try (ResultSet rs = c.getMetaData().getImportedKeys(null, t[0], t[1])) {
                        while (rs.next()) {
                            oneByOne.add(keyRow(rs));
                        }
                    }
                }
                List<String> atOnce = new java.util.ArrayList<>();
                try (ResultSet rs = c.getMetaData().getImportedKeys(null, null, null)) {
                    while (rs.next()) {
                        atOnce.add(keyRow(rs));
                    }
                }
                assertThat(oneByOne).hasSize(5).contains("public.c1.same#1:y->public.p.a", "public.c1.same#2:x->public.p.b",
                        "public.c1.to Two#1:z->Other.Parent Two.id", "Other.c2.same#2:v->public.p.b");
                assertThat(atOnce).containsExactlyInAnyOrderElementsOf(oneByOne);
                // each key's columns in KEY_SEQ order, as the check pairs them
                assertThat(atOnce.indexOf("public.c1.same#1:y->public.p.a")).isLessThan(atOnce.indexOf("public.c1.same#2:x->public.p.b"));
            }
        } finally {
            dbs.dropAll();
        }
    }
}
