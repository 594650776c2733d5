package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DatabaseServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlServerTest {
    private final MySqlScratch scratch = new MySqlScratch();

    @AfterEach
    void drop() {
        scratch.close();
    }

    @Test
    void managesSiblingDatabases() {
        String live = scratch.name("live");
        scratch.exec("CREATE DATABASE `" + live + "` CHARACTER SET latin1 COLLATE latin1_swedish_ci");
        DatabaseServer server = new MySqlDialect().server(scratch.spec(live).withUrl(scratch.spec(live).url() + "?connectTimeout=5000"));
        assertThat(server.liveDatabase()).isEqualTo(live);
        assertThat(server.ledgerKey()).isEqualTo(live);
        assertThat(server.maxNameLength()).isEqualTo(64);
        String staging = scratch.name("stg é");
        assertThat(server.database(staging).url()).endsWith("?connectTimeout=5000").contains("stg%20%C3%A9");
        assertThat(server.exists(staging)).isFalse();
        server.create(staging);
        assertThat(server.exists(staging)).isTrue();
        assertThat(server.list(staging.substring(0, 6))).contains(staging);
        assertThat(scratch.query(staging,
                "SELECT CONCAT(DEFAULT_CHARACTER_SET_NAME, '/', DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA"
                        + " WHERE SCHEMA_NAME = DATABASE()")).containsExactly("latin1/latin1_swedish_ci");
        assertThatThrownBy(() -> server.create(staging)).isInstanceOf(PromoterException.class).hasMessageContaining(staging);
        server.drop(staging);
        assertThat(server.exists(staging)).isFalse();
        assertThatThrownBy(() -> server.drop(live)).isInstanceOf(PromoterException.class).hasMessageContaining("live database");
        assertThat(server.ledger().url()).contains("/promoter_ledger");
        assertThat(server.exists(MySqlServer.LEDGER)).isTrue();
    }

    @Test
    void aLoginWithoutTheLedgerIsRefusedWithTheGrantThatFixesIt() {
        String user = dev.promoter.testing.TestServers.uniqueName("promoter_ops");
        String live = scratch.create("live");
        scratch.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'", "GRANT ALL ON `" + live + "`.* TO '" + user + "'@'%'");
        try {
            var spec = new dev.promoter.core.db.ConnectionSpec(scratch.spec(live).url(), user,
                    dev.promoter.core.db.Secret.of("pw"));
            DatabaseServer server = new MySqlDialect().server(spec);
            assertThatThrownBy(server::ledger).isInstanceOf(PromoterException.class)
                    .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("not usable by this login")
                    .hasMessageContaining("GRANT ALL ON `promoter_ledger`.* TO '" + user + "'@'%'");
            scratch.exec("GRANT ALL ON `promoter_ledger`.* TO '" + user + "'@'%'");
            assertThat(server.ledger().url()).contains("/promoter_ledger");
        } finally {
            scratch.exec("DROP USER '" + user + "'@'%'");
        }
    }
}
