package dev.promoter.dialects.h2;

import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class H2IntrospectorTest {
    private static final TableRef ODD = new TableRef("Ödd \"q\" schema", "select Täble");
    private static final TableRef KV = new TableRef("PUBLIC", "KV_PAIR");

    @TempDir
    Path dir;

    @Test
    void listsUserTablesButNotLiquibaseOrViews() {
        H2Fixture f = new H2Fixture(dir);
        f.liveJdbi().useHandle(h -> h.execute("CREATE TABLE DATABASECHANGELOG (id VARCHAR(10))"));
        List<TableRef> tables = f.liveJdbi().withHandle(f.dialect.introspector()::tables);
        assertThat(tables).containsExactly(new TableRef("PUBLIC", "AUDIT_LOG"), KV,
                new TableRef("PUBLIC", "STORAGE_VOLUME"), ODD);
        long rows = f.liveJdbi().withHandle(h -> f.dialect.introspector().rowCount(h, ODD));
        assertThat(rows).isEqualTo(3);
    }

    @Test
    void checksumSeesEveryChangeAndDuplicatesDoNotCancel() {
        H2Fixture f = new H2Fixture(dir);
        Map<TableRef, TableChecksum> before = f.checksums("live");
        assertThat(before.get(KV).rows()).isEqualTo(3);
        assertThat(before.get(ODD).rows()).isEqualTo(3);
        assertThat(f.checksums("live")).isEqualTo(before);

        f.liveJdbi().useHandle(h -> h.execute("UPDATE kv_pair SET \"VALUE\" = 'v2' WHERE name = 'k1'"));
        Map<TableRef, TableChecksum> after = f.checksums("live");
        assertThat(after.get(KV)).isNotEqualTo(before.get(KV));
        assertThat(after.get(ODD)).isEqualTo(before.get(ODD));

        // NULL vs empty string vs the text 'N' are different rows
        f.liveJdbi().useHandle(h -> h.execute("UPDATE kv_pair SET \"VALUE\" = NULL WHERE name = 'k3'"));
        assertThat(f.checksums("live").get(KV)).isNotEqualTo(after.get(KV));

        // two equal rows count twice: deleting one of them changes the sum
        f.liveJdbi().useHandle(h -> h.execute("DELETE FROM \"Ödd \"\"q\"\" schema\".\"select Täble\" WHERE \"order\" = 1"
                + " LIMIT 1"));
        TableChecksum odd = f.checksums("live").get(ODD);
        assertThat(odd.rows()).isEqualTo(2);
        assertThat(odd.hashSum()).isNotEqualTo(before.get(ODD).hashSum());
    }

    @Test
    void checksumHandlesEveryCommonType() {
        H2Fixture f = new H2Fixture(dir);
        TableRef all = new TableRef("PUBLIC", "ALL_TYPES");
        f.liveJdbi().useHandle(h -> {
            h.execute("CREATE TABLE all_types (j JSON, a INTEGER ARRAY, u UUID, tz TIMESTAMP WITH TIME ZONE,"
                    + " d DECFLOAT, b BOOLEAN, bl BLOB, i INTERVAL DAY TO SECOND, e ENUM('x', 'y'), r ROW(p INT, q INT),"
                    + " dbl DOUBLE PRECISION, t TIME, dt DATE, n NUMERIC(30, 10))");
            h.execute("INSERT INTO all_types VALUES (JSON '{\"k\": [1, 2]}', ARRAY[1, NULL], RANDOM_UUID(),"
                    + " TIMESTAMP WITH TIME ZONE '2024-01-01 10:00:00+02', 1.5e300, TRUE, X'0102', INTERVAL '1 02:03:04' DAY TO SECOND,"
                    + " 'y', ROW(1, 2), 0.1, TIME '10:00:00', DATE '2024-02-29', 12345678901234567890.0123456789)");
            h.execute("INSERT INTO all_types (j) VALUES (NULL)");
        });
        TableChecksum first = f.checksums("live").get(all);
        assertThat(first.rows()).isEqualTo(2);
        f.liveJdbi().useHandle(h -> h.execute("UPDATE all_types SET bl = X'0103' WHERE bl IS NOT NULL"));
        assertThat(f.checksums("live").get(all)).isNotEqualTo(first);
    }

    @Test
    void countersCompareIdentityAndSequenceWithMaxKey() {
        H2Fixture f = new H2Fixture(dir);
        f.liveJdbi().useHandle(h -> {
            h.execute("CREATE TABLE ticket (id BIGINT DEFAULT NEXT VALUE FOR ticket_seq PRIMARY KEY)");
            h.execute("INSERT INTO ticket VALUES (500)");
            h.execute("INSERT INTO storage_volume (id, name, capacity_bytes, created_at) VALUES (77, 'x', 1, NOW())");
        });
        List<CounterState> counters = f.liveJdbi().withHandle(f.dialect.introspector()::counters);
        CounterState volume = counters.stream().filter(c -> c.table().name().equals("STORAGE_VOLUME")).findFirst()
                .orElseThrow();
        assertThat(volume.column()).isEqualTo("ID");
        assertThat(volume.maxKey()).isEqualTo(77L);
        assertThat(volume.isBehind()).isTrue();
        CounterState ticket = counters.stream().filter(c -> c.table().name().equals("TICKET")).findFirst().orElseThrow();
        assertThat(ticket.name()).isEqualTo("PUBLIC.TICKET_SEQ");
        assertThat(ticket.nextValue()).isEqualTo(100L);
        assertThat(ticket.isBehind()).isTrue();
    }

    @Test
    void schemaModelDescribesTablesConstraintsIndexesSequencesAndViews() {
        H2Fixture f = new H2Fixture(dir);
        SchemaModel model = f.liveJdbi().withHandle(f.dialect.introspector()::schema);
        assertThat(model.objects().get("table PUBLIC.KV_PAIR")).contains(
                "column VALUE CHARACTER LARGE OBJECT",
                "column NAME CHARACTER VARYING(255) not null",
                "column ID BIGINT not null identity BY DEFAULT",
                "primary key (ID)",
                "unique UQ_KV_PAIR_NAME (NAME)");
        assertThat(model.objects().get("table PUBLIC.AUDIT_LOG")).contains(
                "index IDX_AUDIT_LOG_VOLUME_ID (VOLUME_ID ASC)",
                "foreign key FK_AUDIT_LOG_VOLUME (VOLUME_ID) references PUBLIC.STORAGE_VOLUME (ID)"
                        + " on update RESTRICT on delete RESTRICT");
        assertThat(model.objects()).containsKeys("sequence PUBLIC.TICKET_SEQ", "view PUBLIC.BIG_VOLUMES",
                "table Ödd \"q\" schema.select Täble");

        // the same schema built again compares equal, though H2 generates other names for it
        H2Fixture other = new H2Fixture(dir.resolve("other"));
        SchemaModel again = other.liveJdbi().withHandle(other.dialect.introspector()::schema);
        assertThat(again.differencesFrom(model)).isEmpty();
        other.liveJdbi().useHandle(h -> h.execute("ALTER TABLE kv_pair ADD COLUMN extra INT"));
        assertThat(other.liveJdbi().withHandle(other.dialect.introspector()::schema).differencesFrom(model))
                .containsExactly("table PUBLIC.KV_PAIR: unexpected column EXTRA INTEGER");
    }
}
