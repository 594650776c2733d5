package dev.promoter.dialects.postgresql;

import dev.promoter.core.spi.*;

final class PostgresAtomicSwitch implements AtomicSwitch {
    public SwitchResult switchOver(SwitchRequest request) {
        throw new UnsupportedOperationException();
    }
}
