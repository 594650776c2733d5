package dev.promoter.core.ledger;

/** Run columns that are filled in as a run goes (a fixed list: column names never come from input). */
public enum RunField {
    BACKUP_LOCATION("backup_location"),
    STAGING_NAME("staging_name"),
    ARCHIVE_NAME("archive_name"),
    REPORT_DIR("report_dir"),
    WATERMARK("watermark"),
    FROM_VERSION("from_version"),
    TO_VERSION("to_version");

    final String column;

    RunField(String column) {
        this.column = column;
    }
}
