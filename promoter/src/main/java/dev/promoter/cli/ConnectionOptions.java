package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How to reach the live database. The password never comes from the command line. */
public final class ConnectionOptions {
    @Option(names = "--url", paramLabel = "JDBC_URL", description = {"JDBC URL of the live database, e.g. jdbc:postgresql://db:5432/storage, jdbc:mysql://db:3306/storage or jdbc:h2:file:/var/lib/app/storage. Env: PROMOTER_URL."})
    String url;

    @Option(names = "--user", description = "Database user. Env: PROMOTER_USER.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = {"File holding the password (first line). Otherwise the password is read from the PROMOTER_PASSWORD environment variable. Never given on the command line."})
    Path passwordFile;

    ConnectionSpec spec(Env env) {
        if (url == null || url.isBlank()) {
            throw PromoterException.badInput("No live database given: pass --url JDBC_URL (or set PROMOTER_URL, "
                    + "or url: in --config)");
        }
        return new ConnectionSpec(url, user, password(env));
    }

    private Secret password(Env env) {
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile);
                return Secret.of(text.lines().findFirst().orElse(""));
            } catch (IOException e) {
                throw PromoterException.badInput("Unable to read --password-file " + passwordFile + ": " + e.getMessage());
            }
        }
        return Secret.of(env.get("PROMOTER_PASSWORD"));
    }
}
