package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;

/** A live database with every kind of object and value the clone and switch must preserve. */
final class MySqlFixture {
    static final List<TableRef> TABLES = List.of(new TableRef(null, "audit"), new TableRef(null, "données"),
            new TableRef(null, "line"), new TableRef(null, "order"));

    private MySqlFixture() {
    }

    static void create(MySqlScratch scratch, String db) {
        scratch.execIn(db,
                "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
                "CREATE TABLE `order` (id BIGINT AUTO_INCREMENT PRIMARY KEY, `select` VARCHAR(50) NOT NULL,"
                        + " status ENUM('new','paid') NOT NULL DEFAULT 'new', flags SET('a','b','c'), amount DECIMAL(20,6),"
                        + " doc JSON, total DECIMAL(21,6) AS (amount * 2) STORED, note TEXT CHARACTER SET latin1 COLLATE latin1_german1_ci,"
                        + " data BLOB, created DATETIME(6), due DATE, bits BIT(5), FULLTEXT KEY ft (`select`), KEY by_status (status, created DESC),"
                        + " UNIQUE KEY `select due` (`select`(20), due), KEY by_total (total))"
                        + " ENGINE=InnoDB AUTO_INCREMENT=1000 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
                "CREATE TABLE line (id INT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, qty INT, KEY by_qty (qty), KEY by_order_qty (order_id, qty),"
                        + " CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES `order` (id) ON DELETE CASCADE)",
                "CREATE TABLE `données` (`clé` INT PRIMARY KEY, lieu POINT NOT NULL, nom VARCHAR(20), SPATIAL INDEX (lieu))"
                        + " DEFAULT CHARSET=latin1",
                "CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100))",
                "CREATE TRIGGER order_ai AFTER INSERT ON `order` FOR EACH ROW INSERT INTO audit (msg) VALUES (CONCAT('new ', NEW.id))",
                "CREATE TRIGGER order_ai2 AFTER INSERT ON `order` FOR EACH ROW FOLLOWS order_ai"
                        + " INSERT INTO audit (msg) VALUES (CONCAT('second ', NEW.id))",
                "CREATE SQL SECURITY INVOKER VIEW paid AS SELECT id, `select` FROM `order` WHERE status = 'paid'",
                "CREATE VIEW paid_count AS SELECT COUNT(*) AS n FROM paid",
                "CREATE PROCEDURE pay(IN oid BIGINT) MODIFIES SQL DATA UPDATE `order` SET status = 'paid' WHERE id = oid",
                "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
                "CREATE EVENT `purge` ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit WHERE msg IS NULL",
                "INSERT INTO `order` (`select`, status, flags, amount, doc, note, data, created, due, bits) VALUES"
                        + " ('plain', 'new', 'a,c', 12.345678, '{\"k\": [1, 2]}', 'Grüße', 0x00095C0A0DFF, '2024-02-29 23:59:59.123456', '0000-00-00', b'10101'),"
                        + " ('tab\\tnew\\nline back\\\\slash nul\\0 ☃ 🚀', 'paid', '', -0.000001, NULL, NULL, '', NULL, '2024-01-01', b'0'),"
                        + " ('', 'paid', NULL, NULL, 'null', 'N', NULL, '1970-01-01 00:00:01', NULL, NULL)",
                "INSERT INTO line (id, order_id, qty) VALUES (0, 1000, 0)",
                "INSERT INTO line (order_id, qty) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000)"
                        + " SELECT 1000 + n % 3, n FROM s",
                "INSERT INTO `données` VALUES (1, ST_GeomFromText('POINT(2.35 48.85)'), 'Paris'), (2, ST_GeomFromText('POINT(0 0)'), NULL)",
                "DELETE FROM audit WHERE id > 5");
    }

    /** SHOW CREATE of every table, view, trigger, routine and event, by kind and name. */
    static List<String> showCreate(Handle h) {
        List<String> out = new ArrayList<>();
        for (String t : MySqlScratch.column(h, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'DATABASECHANGELOG%' ORDER BY 1")) {
            out.add(show(h, "TABLE", t, 2));
        }
        for (String v : MySqlScratch.column(h, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")) {
            out.add(show(h, "VIEW", v, 2));
        }
        for (String t : MySqlScratch.column(h, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1")) {
            out.add(show(h, "TRIGGER", t, 3));
        }
        for (String r : MySqlScratch.column(h, "SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1")) {
            out.add(show(h, r.split(" ")[0], r.split(" ")[1], 3));
        }
        for (String e : MySqlScratch.column(h, "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1")) {
            out.add(show(h, "EVENT", e, 4));
        }
        return out;
    }

    private static String show(Handle h, String kind, String name, int col) {
        return h.createQuery("SHOW CREATE " + kind + " " + MySqlDialect.quoteName(name)).map((rs, ctx) -> rs.getString(col)).one();
    }
}
