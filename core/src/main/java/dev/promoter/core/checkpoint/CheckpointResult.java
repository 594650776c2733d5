package dev.promoter.core.checkpoint;

/**
 * A named, recorded check with its outcome and evidence (what was expected, what was found).
 *
 * @param kind   new-tables, row-count, checksum, counter, declared, schema, ...
 * @param millis how long the check took
 */
public record CheckpointResult(String name, String kind, Status status, String expected, String actual,
                               String detail, long millis) {

    public enum Status { PASS, FAIL, WARN }

    public static CheckpointResult pass(String name, String kind, String expected, String actual, long millis) {
        return new CheckpointResult(name, kind, Status.PASS, expected, actual, "", millis);
    }

    public static CheckpointResult fail(String name, String kind, String expected, String actual, String detail,
                                        long millis) {
        return new CheckpointResult(name, kind, Status.FAIL, expected, actual, detail, millis);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
