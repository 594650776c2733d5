package dev.promoter.dialects.postgresql;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresServerTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    @Test
    void rewritesTheDatabaseKeepingParameters() {
        ConnectionSpec live = new ConnectionSpec("jdbc:postgresql://db1:5433,db2/shop?sslmode=require&ApplicationName=x",
                "app", Secret.of("pw"));
        PostgresServer server = new PostgresServer(live);
        assertThat(server.liveDatabase()).isEqualTo("shop");
        assertThat(server.ledgerKey()).isEqualTo("shop");
        assertThat(server.maxNameLength()).isEqualTo(63);
        assertThat(server.database("shop_staging données").url())
                .isEqualTo("jdbc:postgresql://db1:5433,db2/shop_staging%20donn%C3%A9es?sslmode=require&ApplicationName=x");
        assertThat(server.database("x").user()).isEqualTo("app");
        assertThat(PostgresUrl.parse(server.database("x").url()).libpqEnvironment(live))
                .containsEntry("PGHOST", "db1,db2").containsEntry("PGPORT", "5433,5432")
                .containsEntry("PGDATABASE", "x").containsEntry("PGSSLMODE", "require").containsEntry("PGPASSWORD", "pw");
    }

    @Test
    void createsListsAndDropsSiblingDatabases() throws Exception {
        String live = dbs.create("pg_srv");
        PostgresServer server = new PostgresServer(dbs.spec(live));
        String staging = dbs.track(live + "_staging Ü");
        assertThat(server.exists(staging)).isFalse();
        server.create(staging);
        assertThat(server.exists(staging)).isTrue();
        assertThat(server.list(live)).containsExactly(live, staging);
        try (Connection c = Connections.open(server.database(staging)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(staging);
        }
        assertThatThrownBy(() -> server.create(staging)).isInstanceOf(PromoterException.class)
                .hasMessageContaining("\"" + staging + "\": it already exists");
        try (Connection busy = Connections.open(server.database(staging))) {
            assertThat(busy.isValid(1)).isTrue();
            server.drop(staging);
        }
        assertThat(server.exists(staging)).isFalse();
    }

    @Test
    void refusesToDropLive() {
        String live = dbs.create("pg_srv");
        PostgresServer server = new PostgresServer(dbs.spec(live));
        assertThatThrownBy(() -> server.drop(live)).isInstanceOf(PromoterException.class)
                .hasMessageContaining("Refusing to drop database \"" + live + "\": it is the live database")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(server.exists(live)).isTrue();
    }

    @Test
    void ledgerIsItsOwnDatabaseCreatedOnceEvenConcurrently() throws Exception {
        String live = dbs.create("pg_srv");
        PostgresServer server = new PostgresServer(dbs.spec(live));
        var pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ConnectionSpec>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<ConnectionSpec> c = () -> new PostgresServer(dbs.spec(live)).ledger();
                futures.add(pool.submit(c));
            }
            for (Future<ConnectionSpec> f : futures) {
                assertThat(PostgresUrl.parse(f.get().url()).database()).isEqualTo("promoter_ledger");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.exists("promoter_ledger")).isTrue();
        assertThatThrownBy(() -> server.drop("promoter_ledger")).isInstanceOf(PromoterException.class);
    }

    @Test
    void stagingIsMadeInLivesTablespace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a tablespace needs a folder the server's own OS user owns: here when the server runs on this machine
        java.nio.file.Path folder = java.nio.file.Files.createDirectory(dir.resolve("ts"));
        Process chown = new ProcessBuilder("chown", "postgres:postgres", folder.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String why = new String(chown.getInputStream().readAllBytes());
        assertThat(chown.waitFor()).as("chown of a tablespace folder to the server's user (the test needs the server "
                + "on this machine, run as root): " + why).isZero();
        String ts = dev.promoter.testing.TestServers.uniqueName("promoter_ts");
        dbs.exec("postgres", "CREATE TABLESPACE " + ts + " LOCATION '" + folder + "'");
        try {
            String live = dbs.track(dev.promoter.testing.TestServers.uniqueName("pg_srv"));
            dbs.exec("postgres", "CREATE DATABASE " + live + " TABLESPACE " + ts);
            String staging = dbs.track(live + "_stg");
            new PostgresServer(dbs.spec(live)).create(staging);
            assertThat(dbs.queryString("postgres", "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t "
                    + "ON t.oid = d.dattablespace WHERE d.datname = '" + staging + "'")).isEqualTo(ts);
        } finally {
            dbs.dropAll();
            dbs.exec("postgres", "DROP TABLESPACE " + ts);
        }
    }

    /**
     * A run's ledger ({@link dev.promoter.core.ledger.Ledger#pooled}) writes through one session kept open, not a new
     * one per write, and lets it go when closed: then the ledger's database has no session left (a plain DROP
     * DATABASE, which refuses while one is attached, goes through). A session the server ended while it was idle is
     * replaced, not used.
     */
    @Test
    void aRunsLedgerWritesThroughOneSessionAndLetsItGoWhenClosed() throws Exception {
        String ledgerDb = dbs.create("pg_ledger");
        String sessions = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + ledgerDb + "'";
        assertThat(new PostgresServer(dbs.spec(ledgerDb)).ledgerMayStayConnected()).isTrue();
        try (var ledger = dev.promoter.core.ledger.Ledger.pooled(dbs.spec(ledgerDb), java.time.Clock.systemUTC())) {
            for (int i = 0; i < 20; i++) {
                ledger.setLive("shop" + i, "storage-server", dev.promoter.core.version.Version.parse("1." + i + ".0"),
                        "postgresql", "a test");
            }
            assertThat(ledger.live("shop19").orElseThrow().version()).hasToString("1.19.0");
            assertThat(dbs.queryString("postgres", sessions)).isEqualTo("1");

            // the server ends the idle session (a DBA, a restart): the next write, a moment later, opens a new one
            dbs.exec("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + ledgerDb + "'");
            Thread.sleep(1100);
            ledger.setLive("shop20", "storage-server", dev.promoter.core.version.Version.parse("1.20.0"), "postgresql",
                    "a test");
            assertThat(ledger.live("shop20")).isPresent();
            assertThat(dbs.queryString("postgres", sessions)).isEqualTo("1");
        }
        // the session's backend ends just after the driver's goodbye: a few milliseconds at most
        long until = System.nanoTime() + 5_000_000_000L;
        while (!dbs.queryString("postgres", sessions).equals("0") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(dbs.queryString("postgres", sessions)).isEqualTo("0");
        dbs.exec("postgres", "DROP DATABASE " + PostgresDialect.quoteIdentifier(ledgerDb));
    }

    /**
     * A run's ledger on a database its login may not connect to fails at once, with the server's reason and the
     * connection's advice, as a ledger opened for each write does (a connection pool would wait out its timeout and
     * report only that). The login has just connected elsewhere on the server, as a run has when it opens the ledger.
     */
    @Test
    void aRunsLedgerThatTheLoginMayNotConnectToIsRefusedWithTheServersReason() throws Exception {
        String ledgerDb = dbs.create("pg_ledger");
        String role = dbs.role("promoter_noconn", "LOGIN");
        dbs.exec("postgres", "REVOKE CONNECT ON DATABASE " + PostgresDialect.quoteIdentifier(ledgerDb) + " FROM PUBLIC");
        Connections.open(dbs.as(role, "postgres")).close();

        assertThatThrownBy(() -> dev.promoter.core.ledger.Ledger.pooled(dbs.as(role, ledgerDb), java.time.Clock.systemUTC()))
                .isInstanceOf(PromoterException.class)
                .hasMessageContaining("Unable to connect to").hasMessageContaining(ledgerDb)
                .hasMessageContaining("permission denied for database");
    }

    /** A spec for {@code db} as role {@code role} (trust authentication, no password). */
    private ConnectionSpec as(String role, String db) {
        return new ConnectionSpec(dbs.spec(db).url(), role, Secret.none());
    }

    @Test
    void aLoginThatMayNotUseTheLedgerIsRefusedWithTheGrantThatFixesIt() throws Exception {
        String role = dev.promoter.testing.TestServers.uniqueName("promoter_ops");
        String ledgerDb = dbs.create("pg_ledger");
        dbs.exec("postgres", "CREATE ROLE " + role + " LOGIN");
        try {
            // the tables exist (another role made them); this login has no privileges on them
            dev.promoter.core.ledger.Ledger.open(Connections.jdbi(dbs.spec(ledgerDb)), java.time.Clock.systemUTC());
            dbs.exec(ledgerDb, "GRANT USAGE ON SCHEMA public TO " + role);
            assertThatThrownBy(() -> dev.promoter.core.ledger.Ledger.open(Connections.jdbi(as(role, ledgerDb)),
                    java.time.Clock.systemUTC()))
                    .isInstanceOf(PromoterException.class)
                    .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED))
                    .hasMessageContaining("not usable by this login").hasMessageContaining("permission denied")
                    .hasMessageContaining("GRANT SELECT, INSERT, UPDATE, DELETE ON promoter_database, promoter_run")
                    .hasMessageContaining(" TO " + role);
            dbs.exec(ledgerDb, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
            var ledger = dev.promoter.core.ledger.Ledger.open(Connections.jdbi(as(role, ledgerDb)), java.time.Clock.systemUTC());
            assertThat(ledger.live("nothing")).isEmpty();

            // no tables yet, and no right to create them (PostgreSQL 15: none on schema public)
            String empty = dbs.create("pg_ledger");
            dbs.exec(empty, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            assertThatThrownBy(() -> dev.promoter.core.ledger.Ledger.open(Connections.jdbi(as(role, empty)),
                    java.time.Clock.systemUTC()))
                    .isInstanceOf(PromoterException.class)
                    .hasMessageContaining("Unable to create the ledger table promoter_database")
                    .hasMessageContaining("GRANT SELECT, INSERT, UPDATE, DELETE ON");
        } finally {
            dbs.dropAll();
            dbs.exec("postgres", "DROP OWNED BY " + role + "; DROP ROLE " + role);
        }
    }

    @Test
    void theWriteFreezeOfANonSuperuserOwnerNamesTheGrantItNeeds() throws Exception {
        String owner = dev.promoter.testing.TestServers.uniqueName("promoter_owner");
        dbs.exec("postgres", "CREATE ROLE " + owner + " LOGIN CREATEDB");
        String live = dbs.create("pg_freeze");
        dbs.exec("postgres", "ALTER DATABASE " + PostgresDialect.quoteIdentifier(live) + " OWNER TO " + owner);
        int major;
        try (Connection c = dbs.open(live)) {
            major = c.getMetaData().getDatabaseMajorVersion();
        }
        PostgresServer server = new PostgresServer(as(owner, live));
        try {
            if (major >= 15) {
                assertThatThrownBy(() -> PostgresWriteFreeze.take(server, java.time.Duration.ofSeconds(5)))
                        .isInstanceOf(PromoterException.class)
                        .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED))
                        .hasMessageContaining("GRANT SET ON PARAMETER " + PostgresWriteFreeze.MARK + " TO \"" + owner + "\"")
                        .hasMessageContaining("--allow-writes");
                assertThat(dbs.queryString("postgres", "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d "
                        + "ON d.oid = s.setdatabase WHERE d.datname = '" + live + "'")).as("live unchanged").isEqualTo("0");
                dbs.exec("postgres", "GRANT SET ON PARAMETER " + PostgresWriteFreeze.MARK + " TO " + owner);
            }
            // an application's session, of another role, which this owner may not end
            dbs.exec("postgres", "CREATE ROLE " + owner + "_app LOGIN");
            try (Connection app = Connections.open(as(owner + "_app", live))) {
                assertThatThrownBy(() -> PostgresWriteFreeze.take(server, java.time.Duration.ofSeconds(5)))
                        .isInstanceOf(PromoterException.class)
                        .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED))
                        .hasMessageContaining("Unable to end the sessions on database \"" + live + "\"")
                        .hasMessageContaining("GRANT pg_signal_backend TO \"" + owner + "\"");
                assertThat(dbs.queryString("postgres", "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d "
                        + "ON d.oid = s.setdatabase WHERE d.datname = '" + live + "'")).as("the freeze was lifted").isEqualTo("0");
                assertThat(app.isValid(2)).as("the application's session was left alone").isTrue();
            }
            PostgresWriteFreeze freeze = PostgresWriteFreeze.take(server, java.time.Duration.ofSeconds(5));
            assertThat(freeze.isHeld()).isTrue();
            freeze.release();
            assertThat(freeze.isHeld()).isFalse();
        } finally {
            dbs.dropAll();
            if (major >= 15) {
                dbs.exec("postgres", "REVOKE SET ON PARAMETER " + PostgresWriteFreeze.MARK + " FROM " + owner);
            }
            dbs.exec("postgres", "DROP ROLE IF EXISTS " + owner + "_app");
            dbs.exec("postgres", "DROP ROLE " + owner);
        }
    }

    @Test
    void aNameLongerThanPostgresKeepsIsRefusedNotCut() {
        PostgresServer server = new PostgresServer(dbs.admin);
        assertThat(server.nameLength("é".repeat(29))).isEqualTo(58);
        String tooLong = dev.promoter.testing.TestServers.uniqueName("pg_" + "é".repeat(25)); // over 63 bytes
        assertThatThrownBy(() -> server.create(tooLong)).isInstanceOf(PromoterException.class)
                .hasMessageContaining("bytes; PostgreSQL keeps 63").hasMessageContaining("Choose a shorter name");
        assertThat(server.list("pg_é")).isEmpty();
    }
}
