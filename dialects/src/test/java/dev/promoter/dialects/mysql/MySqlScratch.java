package dev.promoter.dialects.mysql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.testing.TestServers;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Uniquely named scratch databases on the test MariaDB/MySQL server, dropped by {@link #close()}. */
final class MySqlScratch implements AutoCloseable {
    final ConnectionSpec admin = TestServers.mysqlAdmin();
    private final List<String> created = new ArrayList<>();

    String create(String prefix) {
        String name = TestServers.uniqueName(prefix);
        exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        created.add(name);
        return name;
    }

    /** Registers a name to drop at the end (for databases the code under test creates). */
    String name(String prefix) {
        String name = TestServers.uniqueName(prefix);
        created.add(name);
        return name;
    }

    ConnectionSpec spec(String db) {
        return admin.withUrl(MySqlUrl.parse(admin.url()).withDatabase(db).text());
    }

    Jdbi jdbi(String db) {
        return Connections.jdbi(spec(db));
    }

    /** Clones {@code live} into {@code staging} (both made by this scratch) without a write freeze. */
    Snapshot cloneInto(MySqlCloner cloner, String live, String staging, int workers) {
        return cloner.cloneDatabase(new CloneRequest(spec(live), spec(staging), workers, false, Duration.ofSeconds(5)),
                ProgressListener.NONE);
    }

    <T> T with(String db, java.util.function.Function<Handle, T> work) {
        return jdbi(db).withHandle(work::apply);
    }

    void exec(String... sql) {
        try (Connection c = Connections.open(admin); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void execIn(String db, String... sql) {
        jdbi(db).useHandle(h -> {
            for (String q : sql) {
                h.execute(q);
            }
        });
    }

    List<String> query(String db, String sql) {
        return jdbi(db).withHandle(h -> column(h, sql));
    }

    /** The copy's and the checksum's scan of {@code table} in the handle's database. */
    static MySqlTableScan scan(Handle h, String table) {
        try {
            return MySqlTableScan.of(h.getConnection(), new dev.promoter.core.spi.TableRef(null, table));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> column(Handle h, String sql) {
        return h.createQuery(sql).mapTo(String.class).list();
    }

    @Override
    public void close() {
        for (String db : created) {
            exec("DROP DATABASE IF EXISTS `" + db + "`");
        }
        // a test that failed inside a switch may leave its journal; the databases it names are gone now
        try (Connection c = Connections.open(admin); Statement s = c.createStatement()) {
            if (s.executeQuery("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + MySqlServer.LEDGER
                    + "' AND TABLE_NAME = '" + MySqlSwitchJournal.TABLE + "'").next()) {
                for (String db : created) {
                    s.execute("DELETE FROM `" + MySqlServer.LEDGER + "`.`" + MySqlSwitchJournal.TABLE + "` WHERE live_db = '" + db + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
