package dev.promoter.cli;

import dev.promoter.service.JobsFile;
import dev.promoter.service.JobsFileReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;

/** Writes a one-job jobs file for an H2 live database and loads it. */
final class JobsYaml {
    private JobsYaml() {
    }

    static Path write(H2Live live, String job, String cron, String within, String traffic, String extraTop) {
        String yaml = "report_dir: " + live.dir.resolve("reports") + "\n"
                + "backup_dir: " + live.dir.resolve("backups") + "\n"
                + extraTop
                + "jobs:\n"
                + "  - name: " + job + "\n"
                // H2's own shutdown hook would otherwise close the database under a run finishing after SIGTERM
                + "    url: " + live.url + ";DB_CLOSE_ON_EXIT=FALSE\n"
                + "    user: sa\n"
                + "    product: storage-server\n"
                + "    sql: " + live.sql + "\n"
                + "    to: newest\n"
                + "    verify: true\n"
                + "    window:\n"
                + "      cron: \"" + cron + "\"\n"
                + "      within: " + within + "\n"
                + "      time_zone: UTC\n"
                + "    traffic:\n" + traffic;
        Path f = live.dir.resolve("jobs.yaml");
        try {
            Files.writeString(f, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    static String lowTraffic() {
        return "      sample: 200ms\n      max_active_sessions: 1\n      max_tps: 1000\n      max_transaction: 30s\n"
                + "      retry_every: 300ms\n";
    }

    static JobsFile load(Path f, Map<String, String> env) {
        return new JobsFileReader(env, ZoneOffset.UTC).read(f);
    }
}
