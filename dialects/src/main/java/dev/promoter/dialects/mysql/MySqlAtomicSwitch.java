package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;

final class MySqlAtomicSwitch implements AtomicSwitch {
    @Override
    public SwitchResult switchOver(SwitchRequest request) {
        throw new UnsupportedOperationException("todo");
    }
}
