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
}
