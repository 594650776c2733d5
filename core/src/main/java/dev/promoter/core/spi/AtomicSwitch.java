package dev.promoter.core.spi;

/**
 * Makes staging the live database and keeps the old live as the archive, atomically: at every moment
 * the live name is either the old database or the new one. Before switching it proves that live took no
 * write since the snapshot (or holds the freeze taken then); when it cannot tell, it refuses.
 */
public interface AtomicSwitch {
    SwitchResult switchOver(SwitchRequest request);
}
