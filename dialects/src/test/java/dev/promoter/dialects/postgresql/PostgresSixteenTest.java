package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.CloneStrategy;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * What PostgreSQL 16 changed that the tool depends on, on a 16 server of the test's own ({@link PrivatePostgres#start16};
 * the shared server here is 15). From 16 on, ALTER ... OWNER TO a role needs membership with the SET option, and a
 * plain GRANT of a membership that exists does not add it.
 */
class PostgresSixteenTest {
    @Test
    void aMembershipWithoutTheSetOptionIsRefusedBeforeTheOnlineCloneWithTheGrantThatFixesIt() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start16()) {
            exec(pg.spec("postgres"), "CREATE ROLE app_owner NOLOGIN", "CREATE ROLE ops LOGIN CREATEDB",
                    "GRANT app_owner TO ops WITH SET FALSE", "CREATE DATABASE live OWNER ops");
            exec(pg.spec("live"), "SELECT 1 WHERE current_setting('server_version_num')::int >= 160000",
                    "GRANT CREATE ON SCHEMA public TO app_owner", "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO app_owner");
            ConnectionSpec ops = new ConnectionSpec(pg.spec("live").url(), "ops", Secret.of(""));
            // what the schema restore would do, as that login: refused by the server
            assertThatThrownBy(() -> exec(ops, "CREATE TABLE u (id int)", "ALTER TABLE u OWNER TO app_owner"))
                    .hasMessageContaining("must be able to SET ROLE \"app_owner\"");
            exec(ops, "DROP TABLE u");

            PostgresCloner cloner = new PostgresCloner(new PostgresClientTools());
            assertThatThrownBy(() -> cloner.refuseUnsupported(ops, CloneStrategy.ONLINE))
                    .isInstanceOf(PromoterException.class)
                    .hasMessageContaining("The login ops may not SET ROLE to the role(s) app_owner that own 1 object(s)")
                    .hasMessageContaining("table t (owner app_owner)")
                    .hasMessageContaining("GRANT app_owner TO ops WITH SET TRUE");
            assertThatNoException().isThrownBy(() -> cloner.refuseUnsupported(ops, CloneStrategy.TEMPLATE));

            exec(pg.spec("postgres"), "GRANT app_owner TO ops"); // already granted: the SET option stays false
            assertThatThrownBy(() -> cloner.refuseUnsupported(ops, CloneStrategy.ONLINE)).hasMessageContaining("WITH SET TRUE");
            exec(pg.spec("postgres"), "GRANT app_owner TO ops WITH SET TRUE");
            assertThatNoException().isThrownBy(() -> cloner.refuseUnsupported(ops, CloneStrategy.ONLINE));
            exec(ops, "CREATE TABLE u (id int)", "ALTER TABLE u OWNER TO app_owner"); // and the server agrees
        }
    }

    /** With only an older pg_dump installed (Debian 12 has 15), the online clone of a 16 server says what to install. */
    @Test
    void anOnlineCloneOfA16ServerNeedsPgDump16AndSaysWhichPackage() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start16()) {
            exec(pg.spec("postgres"), "CREATE DATABASE live", "CREATE DATABASE staging");
            exec(pg.spec("live"), "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
            var request = new dev.promoter.core.spi.CloneRequest(pg.spec("live"), pg.spec("staging"), 2, false,
                    java.time.Duration.ofSeconds(5));
            boolean has16;
            try {
                new PostgresClientTools().find("pg_dump", 16);
                has16 = true;
            } catch (PromoterException e) {
                has16 = false;
            }
            if (has16) {
                var snap = new PostgresDialect().cloner().cloneDatabase(request, dev.promoter.core.spi.ProgressListener.NONE);
                assertThat(snap.tables().values().iterator().next().rows()).isEqualTo(2);
            } else {
                assertThatThrownBy(() -> new PostgresDialect().cloner().cloneDatabase(request,
                        dev.promoter.core.spi.ProgressListener.NONE)).isInstanceOf(PromoterException.class)
                        .hasMessageContaining("pg_dump 16 or newer is needed for a PostgreSQL 16 server")
                        .hasMessageContaining("apt-get install postgresql-client-16");
                try (Connection c = Connections.open(pg.spec("staging")); Statement st = c.createStatement();
                     var rs = st.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("nothing made in staging").isZero();
                }
            }
        }
    }

    /**
     * Everything of a run that needs no pg_dump, on 16: the write freeze, the template clone (hold-off, file copy,
     * watermark, checksums of the copy), the switch's proof and renames, and the freeze's release.
     */
    @Test
    void theTemplateCloneTheFreezeAndTheSwitchWorkOnA16Server() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start16()) {
            exec(pg.spec("postgres"), "CREATE DATABASE live", "CREATE DATABASE staging");
            exec(pg.spec("live"), "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v jsonb)",
                    "INSERT INTO t (v) SELECT jsonb_build_object('n', g) FROM generate_series(1, 1000) g");
            PostgresDialect dialect = new PostgresDialect();
            var snap = dialect.cloner().cloneDatabase(new dev.promoter.core.spi.CloneRequest(pg.spec("live"),
                    pg.spec("staging"), 2, true, java.time.Duration.ofSeconds(5), CloneStrategy.TEMPLATE, null),
                    dev.promoter.core.spi.ProgressListener.NONE);
            try {
                assertThat(snap.tables()).hasSize(1);
                assertThat(snap.tables().values().iterator().next().rows()).isEqualTo(1000);
                assertThatThrownBy(() -> exec(pg.spec("live"), "INSERT INTO t (v) VALUES ('{}')"))
                        .as("frozen").hasMessageContaining("read-only");
                exec(pg.spec("staging"), "CREATE TABLE added (id int)");
                var server = dialect.server(pg.spec("live"));
                var result = dialect.atomicSwitch().switchOver(new dev.promoter.core.spi.SwitchRequest(server, "staging",
                        "live_archive", snap, java.time.Duration.ofSeconds(5)));
                assertThat(result.blockedWindowMillis()).isBetween(0L, 5000L);
            } finally {
                snap.freeze().release();
            }
            exec(pg.spec("live"), "SELECT 1 FROM added", "INSERT INTO t (v) VALUES ('{}')");
            try (Connection c = Connections.open(pg.spec("live")); Statement st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*), max(id) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1001);
                assertThat(rs.getLong(2)).isEqualTo(1001); // the identity's position came along
            }
            assertThatThrownBy(() -> exec(pg.spec("live_archive"), "SELECT 1 FROM added")).hasMessageContaining("added");
        }
    }

    private static void exec(ConnectionSpec spec, String... statements) throws SQLException {
        try (Connection c = Connections.open(spec); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
