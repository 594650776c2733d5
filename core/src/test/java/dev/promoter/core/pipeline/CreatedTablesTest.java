package dev.promoter.core.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CreatedTablesTest {
    @Test
    void readsTheSchemaAndNameOfEveryTableAScriptCreates() {
        String script = """
                CREATE TABLE um_tenant (id int);
                create table if not exists audit.log (id int);
                CREATE UNLOGGED TABLE "Other Schema"."Odd ""Name""\" (id int);
                CREATE TABLE `shop`.`orders` (id int);
                CREATE TEMPORARY TABLE scratch (id int);
                CREATE TABLE
                  spread_out (id int);
                """;
        assertThat(Preflight.createdTables(script)).containsExactly("um_tenant", "audit.log",
                "Other Schema.Odd \"Name\"", "shop.orders", "spread_out");
    }
}
