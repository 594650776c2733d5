package dev.promoter.dialects.mysql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SHOW CREATE TABLE split (text only; the clone tests load and compare real tables). */
class MySqlDeferredIndexesTest {
    private static MySqlObjects.Ddl table(String sql) {
        return new MySqlObjects.Ddl("TABLE", "t", null, sql, "", "");
    }

    @Test
    void defersPlainAndUniqueKeysButKeepsWhatTheCreateNeeds() {
        MySqlDeferredIndexes split = MySqlDeferredIndexes.split(table("""
                CREATE TABLE `t` (
                  `id` int(11) NOT NULL AUTO_INCREMENT,
                  `a` int(11) DEFAULT NULL,
                  `b` varchar(10) DEFAULT NULL,
                  `c` text DEFAULT NULL,
                  `p` int(11) DEFAULT NULL,
                  PRIMARY KEY (`id`),
                  UNIQUE KEY `ub` (`b`(5)),
                  KEY `kp` (`p`,`a`),
                  KEY `ka` (`a`),
                  FULLTEXT KEY `fc` (`c`),
                  CONSTRAINT `fk` FOREIGN KEY (`p`) REFERENCES `p` (`id`)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""));
        assertThat(split.deferred()).containsExactly("UNIQUE KEY `ub` (`b`(5))", "KEY `ka` (`a`)");
        assertThat(split.alter()).isEqualTo("ALTER TABLE `t` ADD UNIQUE KEY `ub` (`b`(5)), ADD KEY `ka` (`a`)");
        assertThat(split.table().sql()).isEqualTo("""
                CREATE TABLE `t` (
                  `id` int(11) NOT NULL AUTO_INCREMENT,
                  `a` int(11) DEFAULT NULL,
                  `b` varchar(10) DEFAULT NULL,
                  `c` text DEFAULT NULL,
                  `p` int(11) DEFAULT NULL,
                  PRIMARY KEY (`id`),
                  KEY `kp` (`p`,`a`),
                  FULLTEXT KEY `fc` (`c`),
                  CONSTRAINT `fk` FOREIGN KEY (`p`) REFERENCES `p` (`id`)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""");
    }

    @Test
    void withoutPrimaryKeyUniqueKeysAndTheAutoIncrementKeyStay() {
        MySqlDeferredIndexes split = MySqlDeferredIndexes.split(table("""
                CREATE TABLE `t` (
                  `id` int(11) NOT NULL AUTO_INCREMENT,
                  `u` int(11) NOT NULL,
                  `v` int(11) DEFAULT NULL,
                  UNIQUE KEY `uu` (`u`),
                  KEY `kid` (`id`),
                  KEY `kv` (`v`)
                ) ENGINE=InnoDB"""));
        assertThat(split.deferred()).containsExactly("KEY `kv` (`v`)");
        assertThat(split.table().sql()).contains("UNIQUE KEY `uu` (`u`),\n  KEY `kid` (`id`)\n) ENGINE=InnoDB");
    }

    @Test
    void aKeyDefinedBeforeAKeptKeyOfItsKindStaysSoTheOrderIsLives() {
        MySqlDeferredIndexes split = MySqlDeferredIndexes.split(table("""
                CREATE TABLE `line` (
                  `id` int(11) NOT NULL,
                  `order_id` bigint(20) NOT NULL,
                  `qty` int(11) DEFAULT NULL,
                  PRIMARY KEY (`id`),
                  UNIQUE KEY `u` (`qty`,`id`),
                  KEY `by_qty` (`qty`),
                  KEY `by_order_qty` (`order_id`,`qty`),
                  KEY `after` (`qty`,`order_id`),
                  CONSTRAINT `fk_order` FOREIGN KEY (`order_id`) REFERENCES `order` (`id`)
                ) ENGINE=InnoDB"""));
        assertThat(split.deferred()).containsExactly("UNIQUE KEY `u` (`qty`,`id`)", "KEY `after` (`qty`,`order_id`)");
    }

    @Test
    void aTableWithoutSecondaryKeysIsLeftAlone() {
        MySqlObjects.Ddl t = table("CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB");
        MySqlDeferredIndexes split = MySqlDeferredIndexes.split(t);
        assertThat(split.table()).isSameAs(t);
        assertThat(split.alter()).isNull();
    }
}
