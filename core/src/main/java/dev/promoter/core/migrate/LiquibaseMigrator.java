package dev.promoter.core.migrate;

import dev.promoter.core.PromoterException;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.tree.Script;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.exception.ValidationFailedException;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.LoggerUIService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Runs a plan's scripts through Liquibase, which records every applied script with its checksum in the
 * database's DATABASECHANGELOG. A script edited after it was applied is refused, naming the file.
 */
public final class LiquibaseMigrator {
    private static final Logger LIQUIBASE_JUL = Logger.getLogger("liquibase");
    private static final String CHANGELOG = "promoter-changelog.yaml";

    static {
        LIQUIBASE_JUL.setLevel(Level.WARNING);
    }

    /** Liquibase's own tables in a migrated database: its history, not product data. */
    public static final java.util.Set<String> TRACKING_TABLES = java.util.Set.of("databasechangelog", "databasechangeloglock");

    /** True for Liquibase's tracking tables, whatever case the catalog spells them in. */
    public static boolean isTrackingTable(String name) {
        return TRACKING_TABLES.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    private final Dialect dialect;
    private final String database;
    private final String aside;

    /** Migrates staging: a failing script is reported as having run on staging only. */
    public LiquibaseMigrator(Dialect dialect) {
        this(dialect, "staging", "it ran on staging only; production is untouched");
    }

    /**
     * Migrates the database a failure names as {@code database} ("the scratch database x"), with {@code aside} said
     * of it after the fix (what the failure left behind).
     */
    public LiquibaseMigrator(Dialect dialect, String database, String aside) {
        this.dialect = dialect;
        this.database = database;
        this.aside = aside;
    }

    /**
     * Runs the scripts of {@code chain} (the full chain from nothing to the target) that the database has
     * not run yet, after checking that exactly {@code expected} are pending: a database whose history lacks
     * an older script is refused rather than having that script run on it out of order.
     */
    public void update(Connection connection, MigrationPlan chain, List<Script> expected, ScriptListener listener) {
        inLiquibase(connection, chain, lb -> {
            List<String> pending = lb.listUnrunChangeSets(new Contexts(), new LabelExpression()).stream()
                    .map(ChangeSet::getId).toList();
            List<String> wanted = expected.stream().map(Script::changeSetId).toList();
            if (!pending.equals(wanted)) {
                throw PromoterException.refused("The database's Liquibase history does not match the path: pending "
                        + "scripts are " + pending + " but the path " + chain.describe() + " expects " + wanted
                        + ". The recorded version may be wrong: check `promote status` and, if needed, `promote stamp`");
            }
            Map<String, Script> byId = byId(chain);
            lb.setChangeExecListener(new AbstractChangeExecListener() {
                @Override
                public void willRun(ChangeSet cs, DatabaseChangeLog log, Database db, ChangeSet.RunStatus status) {
                    listener.started(byId.get(cs.getId()));
                }

                @Override
                public void ran(ChangeSet cs, DatabaseChangeLog log, Database db, ChangeSet.ExecType type) {
                    listener.finished(byId.get(cs.getId()), true);
                }

                @Override
                public void runFailed(ChangeSet cs, DatabaseChangeLog log, Database db, Exception e) {
                    listener.finished(byId.get(cs.getId()), false);
                }
            });
            lb.update(new Contexts(), new LabelExpression());
            return null;
        });
    }

    /**
     * Changeset ids the database's DATABASECHANGELOG records; empty when it has no such table (SQLSTATE 42P01 on
     * PostgreSQL, 42S02 on MySQL/MariaDB and H2, 42S04 on an H2 database without any table). Any other failure is
     * thrown: the caller decides on the history.
     */
    public static java.util.Set<String> history(Connection connection) throws java.sql.SQLException {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try (java.sql.Statement st = connection.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT ID FROM DATABASECHANGELOG")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            if (java.util.Set.of("42P01", "42S02", "42S04").contains(e.getSQLState())) {
                return java.util.Set.of();
            }
            throw e;
        }
        return ids;
    }

    /** Marks every script of {@code chain} as applied without running it (adopting a database: stamp). */
    public void sync(Connection connection, MigrationPlan chain) {
        inLiquibase(connection, chain, lb -> {
            lb.changeLogSync(new Contexts(), new LabelExpression());
            return null;
        });
    }

    /** The statements of a script exactly as they will be sent, split as Liquibase splits them (for plan --sql). */
    public List<String> statements(Script script) {
        List<String> out = new java.util.ArrayList<>();
        for (var chunk : dialect.chunks(script.read())) {
            if (chunk.delimiter() == null) {
                out.add(chunk.sql().strip());
            } else {
                for (String st : liquibase.util.StringUtil.processMultiLineSQL(chunk.sql(), false, true, chunk.delimiter())) {
                    if (!st.isBlank()) {
                        out.add(st.strip());
                    }
                }
            }
        }
        return out;
    }

    /** Changeset ids of {@code chain} that the database has not run. */
    public List<String> pending(Connection connection, MigrationPlan chain) {
        return inLiquibase(connection, chain, lb -> lb.listUnrunChangeSets(new Contexts(), new LabelExpression())
                .stream().map(ChangeSet::getId).toList());
    }

    private interface LiquibaseWork<T> {
        T run(Liquibase liquibase) throws LiquibaseException;
    }

    private <T> T inLiquibase(Connection connection, MigrationPlan chain, LiquibaseWork<T> work) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("promoter-changelog");
            ChangelogWriter.write(chain, dialect, dir.resolve(CHANGELOG));
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            Map<String, Object> scope = new LinkedHashMap<>();
            scope.put(Scope.Attr.ui.name(), new LoggerUIService());
            scope.put("liquibase.analytics.enabled", false);
            scope.put("liquibase.command.showSummaryOutput", "LOG");
            scope.put("liquibase.command.showSummary", "OFF");
            Path changelogDir = dir;
            T result = Scope.child(scope, () -> {
                try (var accessor = new DirectoryResourceAccessor(changelogDir)) {
                    return work.run(new Liquibase(CHANGELOG, accessor, database));
                }
            });
            dialect.makeDurable(connection);
            return result;
        } catch (PromoterException e) {
            throw e;
        } catch (ValidationFailedException e) {
            throw edited(chain, e);
        } catch (Exception e) {
            throw failure(chain, e, database, aside);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static Map<String, Script> byId(MigrationPlan chain) {
        Map<String, Script> m = new LinkedHashMap<>();
        chain.scripts().forEach(s -> m.put(s.changeSetId(), s));
        return m;
    }

    private static PromoterException edited(MigrationPlan chain, ValidationFailedException e) {
        List<String> files = byId(chain).values().stream()
                .filter(s -> e.getInvalidMD5Sums().stream().anyMatch(m -> m.contains("::" + s.changeSetId() + "::")))
                .map(Script::treePath).toList();
        if (files.isEmpty()) {
            return PromoterException.refused("Liquibase refused the changelog for " + chain.describe() + ": "
                    + e.getMessage().strip());
        }
        return PromoterException.refused("Script(s) " + files + " were edited after they were applied to this "
                + "database (their checksum differs from the one recorded when they ran: " + e.getInvalidMD5Sums()
                + "). Applied scripts must not change: restore the file(s) as they were applied (see your version "
                + "control history) and put new changes in a new version");
    }

    private static PromoterException failure(MigrationPlan chain, Exception e, String database, String aside) {
        Throwable root = e;
        SQLException sql = null;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof SQLException s && sql == null) {
                sql = s;
            }
        }
        String script = e.getMessage() == null ? "" : e.getMessage();
        for (Script s : chain.scripts()) {
            if (script.contains("::" + s.changeSetId() + "::")) { // as in "p/h2::1.0.0/migration.sql::promoter"
                script = s.treePath();
                break;
            }
        }
        String why = sql != null ? "SQLSTATE " + sql.getSQLState() + ": " + sql.getMessage() : root.getMessage();
        boolean connectionLost = sql != null && sql.getSQLState() != null && sql.getSQLState().startsWith("08");
        return PromoterException.failed("Unable to run migration script " + script + " on " + database + ": " + why
                + (connectionLost ? ". The connection to " + database + " was lost while it ran (SQLSTATE class 08), "
                + "which says nothing against the script; run again (" + aside + ")"
                : ". Fix the script (" + aside + ")"), e);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
