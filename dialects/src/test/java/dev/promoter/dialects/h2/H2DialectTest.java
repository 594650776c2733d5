package dev.promoter.dialects.h2;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Dialects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2DialectTest {
    private final H2Dialect dialect = new H2Dialect();

    @Test
    void isFoundThroughServiceLoaderAndAnswersCapabilities() {
        assertThat(Dialects.load().get(DialectName.H2)).isInstanceOf(H2Dialect.class);
        assertThat(dialect.acceptsUrl("jdbc:h2:file:/tmp/x")).isTrue();
        assertThat(dialect.acceptsUrl("JDBC:H2:./x")).isTrue();
        assertThat(dialect.acceptsUrl("jdbc:postgresql://h/db")).isFalse();
        assertThat(dialect.supportsDdlTransactions()).isFalse();
        assertThat(dialect.quote("a \"b\"")).isEqualTo("\"a \"\"b\"\"\"");
    }

    @Test
    void recognizesH2FromConnectionMetadata(@TempDir Path dir) throws Exception {
        try (Connection c = Connections.open(new ConnectionSpec("jdbc:h2:file:" + dir.resolve("x"), "sa", null))) {
            assertThat(dialect.recognizes(c.getMetaData())).isTrue();
        }
    }

    /**
     * H2 commits succeed before their write: on a full disk the commit below returns, and only a checkpoint on the
     * same connection tells (closing it would not: the next connection sees the file as it was).
     */
    @Test
    void committedWorkThatCannotBeWrittenFailsMakeDurable(@TempDir Path dir) throws Exception {
        try (dev.promoter.testing.SmallDisk disk = dev.promoter.testing.SmallDisk.mount(dir.resolve("disk"), 256L << 20)) {
            ConnectionSpec spec = new ConnectionSpec("jdbc:h2:file:" + disk.dir().resolve("db") + ";MAX_COMPACT_TIME=0", "sa", null);
            try (Connection c = Connections.open(spec)) {
                c.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(1000))");
                dialect.makeDurable(c); // room enough: nothing to say
                disk.resize(disk.used() + (64 << 10));
                c.createStatement().execute("INSERT INTO t SELECT x, REPEAT('v', 300) FROM SYSTEM_RANGE(1, 3000)");

                assertThatThrownBy(() -> dialect.makeDurable(c)).isInstanceOf(PromoterException.class)
                        .hasMessageContaining("H2 could not write " + disk.dir().resolve("db.mv.db") + " to disk")
                        .hasMessageContaining("Check the free space");
            }
        }
    }

    @Test
    void refusesInMemoryAndRemoteDatabases() {
        assertThatThrownBy(() -> dialect.server(new ConnectionSpec("jdbc:h2:mem:test", "sa", null)))
                .isInstanceOf(PromoterException.class)
                .hasMessageContaining("in-memory database cannot be promoted")
                .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.BAD_INPUT));
        assertThatThrownBy(() -> dialect.server(new ConnectionSpec("jdbc:h2:tcp://host/~/db", "sa", null)))
                .hasMessageContaining("TCP server");
    }

    @Test
    void parsesUrlForms() {
        H2Url a = H2Url.parse("jdbc:h2:file:/data/app/prod;MODE=MySQL;IFEXISTS=TRUE;AUTO_SERVER=TRUE");
        assertThat(a.folder()).isEqualTo(Path.of("/data/app"));
        assertThat(a.name()).isEqualTo("prod");
        assertThat(a.options()).containsExactly("MODE=MySQL", "AUTO_SERVER=TRUE");
        assertThat(a.sibling("stg").url(true))
                .isEqualTo("jdbc:h2:file:/data/app/stg;MODE=MySQL;AUTO_SERVER=TRUE;MAX_COMPACT_TIME=0;IFEXISTS=TRUE");
        assertThat(H2Url.parse("jdbc:h2:file:/d/x;max_compact_time=50").url(false)).isEqualTo("jdbc:h2:file:/d/x;max_compact_time=50");
        assertThat(H2Url.parse("jdbc:h2:/data/app/prod").base()).isEqualTo(Path.of("/data/app/prod"));
        assertThat(H2Url.parse("jdbc:h2:./rel/db").base()).isEqualTo(Path.of("rel/db").toAbsolutePath());
    }
}
