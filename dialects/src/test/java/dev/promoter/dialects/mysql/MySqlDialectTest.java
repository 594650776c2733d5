package dev.promoter.dialects.mysql;

import dev.promoter.core.db.Connections;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlDialectTest {
    private final MySqlDialect dialect = new MySqlDialect();
    private final MySqlScratch scratch = new MySqlScratch();

    @AfterEach
    void drop() {
        scratch.close();
    }

    @Test
    void answersCapabilityQuestions() throws Exception {
        assertThat(dialect.name()).isEqualTo(DialectName.MYSQL);
        assertThat(dialect.acceptsUrl("jdbc:mysql://h/db")).isTrue();
        assertThat(dialect.acceptsUrl("jdbc:mariadb://h:3307/db?x=1")).isTrue();
        assertThat(dialect.acceptsUrl("jdbc:postgresql://h/db")).isFalse();
        assertThat(dialect.supportsDdlTransactions()).isFalse();
        assertThat(dialect.quote("or`der")).isEqualTo("`or``der`");
        assertThat(Dialects.load().get(DialectName.MYSQL)).isInstanceOf(MySqlDialect.class);
        try (Connection c = Connections.open(scratch.admin)) {
            assertThat(dialect.recognizes(c.getMetaData())).isTrue();
            assertThat(Dialects.load().detect(c)).isInstanceOf(MySqlDialect.class);
        }
    }

    @Test
    void rewritesMariaDbUrlsToConnectorJ() {
        var spec = scratch.admin.withUrl("jdbc:mariadb://127.0.0.1:3306/live?useSSL=false");
        assertThat(dialect.normalize(spec).url()).isEqualTo("jdbc:mysql://127.0.0.1:3306/live?useSSL=false");
        assertThat(dialect.server(spec).database("données").url())
                .isEqualTo("jdbc:mysql://127.0.0.1:3306/donn%C3%A9es?useSSL=false");
    }

    @Test
    void splitsDelimiterBlocksQuotesAndComments() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (s VARCHAR(20) DEFAULT ';', `x;y` INT); # another; comment
                /* block; comment */
                INSERT INTO a (s) VALUES ('it''s; fine'), ("dq;\\"");
                DELIMITER $$
                CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW
                BEGIN
                  SET NEW.s = CONCAT(NEW.s, ';$');
                END$$
                DELIMITER ;
                SELECT 1;
                -- trailing comment only
                """;
        List<ScriptChunk> chunks = dialect.chunks(script);
        assertThat(chunks).extracting(ScriptChunk::delimiter).containsOnlyNulls();
        assertThat(chunks).hasSize(4);
        assertThat(chunks.get(0).sql()).startsWith("-- a comment").endsWith("`x;y` INT)");
        assertThat(chunks.get(1).sql()).contains("/* block; comment */").endsWith("(\"dq;\\\"\")");
        assertThat(chunks.get(2).sql()).startsWith("CREATE TRIGGER").endsWith("END");
        assertThat(chunks.get(3).sql()).isEqualTo("SELECT 1");
    }

    @Test
    void runsDbaStyleScriptsThroughLiquibase(@TempDir Path tree) throws Exception {
        Path dir = Files.createDirectories(tree.resolve("shop/1.0.0/mysql"));
        Files.writeString(dir.resolve("migration.sql"), """
                -- Orders; created by the DBA
                CREATE TABLE `order` (id INT AUTO_INCREMENT PRIMARY KEY, `select` VARCHAR(50) NOT NULL DEFAULT 'a;b');
                CREATE TABLE audit (msg VARCHAR(200)); # audit trail

                DELIMITER $$
                CREATE TRIGGER order_ai AFTER INSERT ON `order` FOR EACH ROW
                BEGIN
                  INSERT INTO audit VALUES (CONCAT('new; ', NEW.`select`));
                END$$
                CREATE PROCEDURE add_order(IN v VARCHAR(50))
                BEGIN
                  INSERT INTO `order` (`select`) VALUES (v);
                  INSERT INTO `order` (`select`) VALUES (CONCAT(v, '$$'));
                END$$
                DELIMITER ;
                CALL add_order('x');
                """);
        Path v2 = Files.createDirectories(tree.resolve("shop/1.1.0/mysql"));
        Files.writeString(v2.resolve("migration.sql"), """
                DELIMITER //
                CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC
                BEGIN
                  RETURN x * 2;
                END //
                DELIMITER ;
                INSERT INTO audit VALUES (twice(21));
                """);
        String db = scratch.create("lb");
        MigrationPlan plan = new Planner(SqlTree.load(tree).product("shop")).install(Version.parse("1.1.0"), DialectName.MYSQL);
        try (Connection c = Connections.open(scratch.spec(db))) {
            new LiquibaseMigrator(dialect).update(c, plan, plan.scripts(), ScriptListener.NONE);
        }
        scratch.with(db, h -> {
            assertThat(MySqlScratch.column(h, "SELECT `select` FROM `order` ORDER BY id")).containsExactly("x", "x$$");
            assertThat(MySqlScratch.column(h, "SELECT msg FROM audit ORDER BY msg")).containsExactly("42", "new; x", "new; x$$");
            assertThat(MySqlScratch.column(h, "SELECT id FROM DATABASECHANGELOG ORDER BY ORDEREXECUTED"))
                    .containsExactly("1.0.0/migration.sql", "1.1.0/migration.sql");
            return null;
        });
    }
}
