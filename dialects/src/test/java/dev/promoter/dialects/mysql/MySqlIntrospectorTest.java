package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlIntrospectorTest {
    private final MySqlScratch scratch = new MySqlScratch();
    private final Introspector introspector = new MySqlDialect().introspector();

    @AfterEach
    void drop() {
        scratch.close();
    }

    @Test
    void readsTablesCountsCountersAndSchema() {
        String db = scratch.create("intro");
        MySqlFixture.create(scratch, db);
        scratch.execIn(db, "CREATE TABLE DATABASECHANGELOG (id VARCHAR(10))");
        scratch.jdbi(db).useHandle(h -> {
            assertThat(introspector.tables(h)).containsExactlyElementsOf(MySqlFixture.TABLES);
            assertThat(introspector.rowCount(h, new TableRef(null, "line"))).isEqualTo(1001);
            assertThat(introspector.checksum(h, new TableRef(null, "line")).rows()).isEqualTo(1001);
            List<CounterState> counters = introspector.counters(h);
            CounterState order = counters.stream().filter(c -> c.table().name().equals("order")).findFirst().orElseThrow();
            assertThat(order.column()).isEqualTo("id");
            assertThat(order.maxKey()).isEqualTo(1002L);
            assertThat(order.nextValue()).isEqualTo(1003L);
            assertThat(order.isBehind()).isFalse();
            SchemaModel schema = introspector.schema(h);
            assertThat(schema.objects()).containsKeys("table order", "table données", "view paid", "view paid_count",
                    "trigger order_ai", "procedure pay", "function twice").doesNotContainKey("table DATABASECHANGELOG");
            assertThat(schema.objects().get("table order")).anyMatch(l -> l.startsWith("column note text null default NULL charset latin1 collate latin1_german1_ci"))
                    .anyMatch(l -> l.startsWith("index ft fulltext (select)"))
                    .anyMatch(l -> l.startsWith("column status enum('new','paid') not null default 'new'"));
            assertThat(schema.objects().get("table données")).anyMatch(l -> l.startsWith("index lieu spatial (lieu"));
            assertThat(schema.objects().get("view paid")).noneMatch(l -> l.contains(db));
        });
    }

    @Test
    void checksumTellsNullEmptyAndShiftedValuesApart() {
        String db = scratch.create("sum");
        scratch.execIn(db, "CREATE TABLE a (x VARCHAR(5), y VARCHAR(5))", "CREATE TABLE b LIKE a", "CREATE TABLE c LIKE a",
                "CREATE TABLE d LIKE a", "INSERT INTO a VALUES (NULL, 'x')", "INSERT INTO b VALUES ('', 'x')",
                "INSERT INTO c VALUES ('N', 'x')", "INSERT INTO d VALUES ('|', 'x')");
        scratch.jdbi(db).useHandle(h -> {
            List<TableChecksum> sums = introspector.tables(h).stream().map(t -> introspector.checksum(h, t)).toList();
            assertThat(sums).doesNotHaveDuplicates().allMatch(s -> s.rows() == 1);
            h.execute("INSERT INTO a SELECT * FROM a");
            TableChecksum twice = introspector.checksum(h, new TableRef(null, "a"));
            assertThat(twice.hashSum()).isEqualTo(sums.get(0).hashSum().shiftLeft(1).mod(BigInteger.TWO.pow(128)));
        });
    }
}
