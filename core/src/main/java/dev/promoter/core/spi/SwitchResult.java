package dev.promoter.core.spi;

/**
 * @param archive             the old live's new name
 * @param blockedWindowMillis how long connections to live were refused or blocked by the switch
 * @param detail              how the switch was done, for the report
 */
public record SwitchResult(String archive, long blockedWindowMillis, String detail) {
}
