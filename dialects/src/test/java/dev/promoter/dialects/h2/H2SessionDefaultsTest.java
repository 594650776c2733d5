package dev.promoter.dialects.h2;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Connections to an H2 URL as the user wrote it run without compaction on close, like the URLs H2Url builds. */
class H2SessionDefaultsTest {
    @TempDir
    Path tmp;

    private final H2SessionDefaults defaults = new H2SessionDefaults();

    @Test
    void addsNoCompactionOnCloseUnlessTheUrlSetsIt() {
        Properties p = new Properties();
        assertThat(defaults.apply(null, "jdbc:h2:file:/data/live;MODE=PostgreSQL;", p))
                .isEqualTo("jdbc:h2:file:/data/live;MODE=PostgreSQL;MAX_COMPACT_TIME=0");
        assertThat(defaults.apply(null, "jdbc:h2:file:/data/live; max_compact_time = 200", p))
                .isEqualTo("jdbc:h2:file:/data/live; max_compact_time = 200");
        assertThat(defaults.apply(null, "jdbc:postgresql://127.0.0.1/live", p)).isEqualTo("jdbc:postgresql://127.0.0.1/live");
        assertThat(p).isEmpty();
    }

    @Test
    void aRawUrlOpenedThroughConnectionsRunsWithoutCompactionOnClose() throws Exception {
        ConnectionSpec raw = new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("live"), "sa", Secret.of(""));
        try (Connection c = Connections.open(raw); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'MAX_COMPACT_TIME'")) {
            assertThat(rs.next()).as("H2 reports the setting").isTrue();
            assertThat(rs.getString(1)).isEqualTo("0");
        }
    }
}
