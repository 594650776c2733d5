package dev.promoter.cli;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.DialectName;
import dev.promoter.testing.TestServers;

/** The pipeline contract on the real MariaDB (MySQL family) server. */
class MySqlPipelineTest extends ServerPipelineContract {
    @Override
    protected ConnectionSpec admin() {
        return TestServers.mysqlAdmin();
    }

    @Override
    protected DialectName dialectName() {
        return DialectName.MYSQL;
    }


    @Override
    protected String foreignStagingUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/" + name + "_staging";
    }

    @Override
    protected String sneakyCorruptionScript() {
        return "SET @s = CONCAT('UPDATE audit', '_log SET action = ''lost'' WHERE id = 7');\nPREPARE st FROM @s;\n"
                + "EXECUTE st;\nDEALLOCATE PREPARE st;\n";
    }

    @Override
    protected String sleepStatement(int seconds) {
        return "SELECT SLEEP(" + seconds + ")";
    }

    @Override
    protected String orphaningScript() {
        return "SET FOREIGN_KEY_CHECKS = 0;\nDELETE FROM workflow_executions WHERE id = 1;\nSET FOREIGN_KEY_CHECKS = 1;\n";
    }

    /** InnoDB's AUTO_INCREMENT never falls below max(id) + 1, so a counter cannot be left behind here. */
    @Override
    protected boolean leaveCountersBehind(java.nio.file.Path moveScript) {
        return false;
    }
}
