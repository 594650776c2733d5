package dev.promoter.dialects.postgresql;

import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.CloneStrategy;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.StagingRoom;
import dev.promoter.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether preflight's estimate of the room a clone takes is enough: a server of the test's own on a small file
 * system, left with exactly what preflight asks for (the estimate and a tenth) free, must take the whole online
 * clone. An estimate too low would let a run fill the disk live is on.
 */
class PostgresStagingRoomTest {
    @TempDir
    Path tmp;

    @Test
    void whatPreflightAsksForIsEnoughForTheOnlineClone() throws Exception {
        // the server runs as postgres: it must get through the test's folder to the file system mounted in it
        java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 1L << 30);
             PrivatePostgres pg = PrivatePostgres.startIn(disk.dir(), "max_wal_size=64MB", "min_wal_size=32MB")) {
            try (Connection c = dev.promoter.core.db.Connections.open(pg.spec("postgres"));
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE live");
                st.execute("CREATE DATABASE staging");
            }
            try (Connection c = dev.promoter.core.db.Connections.open(pg.spec("live")); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY, note text, n numeric)");
                st.execute("INSERT INTO t SELECT g, md5(g::text) || md5((g * 7)::text), g * 1.5 FROM generate_series(1, 400000) g");
                st.execute("CREATE INDEX t_note ON t (note)");
                st.execute("CHECKPOINT");
            }
            StagingRoom room = new PostgresDialect().cloner().stagingRoom(pg.spec("live"), CloneStrategy.ONLINE);
            assertThat(room.unchecked()).isNull();
            long need = room.needs().stream().mapToLong(StagingRoom.Need::bytes).sum();
            assertThat(need).isGreaterThan(40L << 20);
            disk.resize(disk.used() + need + need / 10);

            var snap = new PostgresDialect().cloner().cloneDatabase(new CloneRequest(pg.spec("live"), pg.spec("staging"), 2,
                    false, Duration.ofSeconds(5)), ProgressListener.NONE);

            assertThat(snap.tables().values().iterator().next().rows()).isEqualTo(400000);
            var in = new PostgresDialect().introspector();
            try (var h = org.jdbi.v3.core.Jdbi.open(dev.promoter.core.db.Connections.open(pg.spec("staging")))) {
                assertThat(PostgresClonerTest.checksums(in, h)).isEqualTo(snap.tables());
            }
            System.out.println("MEASURED need " + (need >> 20) + " MB, left free after the clone "
                    + (java.nio.file.Files.getFileStore(disk.dir()).getUsableSpace() >> 20) + " MB");
        }
    }
}
