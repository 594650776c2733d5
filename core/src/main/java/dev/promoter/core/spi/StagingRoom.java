package dev.promoter.core.spi;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * The disk a clone will fill on the server's machine, asked in preflight so that staging never fills the disk live
 * is on: each folder the server writes staging into (data directory, tablespaces, write-ahead or binary log) with
 * about the bytes it will take there, or, when it cannot be checked from here (a server on another machine, a
 * login that may not read the data directory), why, with what it will need.
 *
 * @param needs       the folders and bytes; empty when {@code unchecked} says why not
 * @param unchecked   null when checked; otherwise what stopped the check and what to make sure of by hand
 * @param backupBytes about what the run's backup of live takes in its default (uncompressed) format, which preflight
 *                    counts with staging when the backup folder is on the same file system; -1 when unknown
 */
public record StagingRoom(List<Need> needs, String unchecked, long backupBytes) {
    /** About {@code bytes} will be written under {@code folder}, described by {@code what} ("the copy of live"). */
    public record Need(Path folder, long bytes, String what) {
    }

    public StagingRoom {
        needs = List.copyOf(needs);
    }

    public static StagingRoom of(List<Need> needs) {
        return new StagingRoom(needs, null, -1);
    }

    public static StagingRoom unchecked(String why) {
        return new StagingRoom(List.of(), why, -1);
    }

    /** This room with {@code bytes} as the estimate of the run's backup. */
    public StagingRoom withBackup(long bytes) {
        return new StagingRoom(needs, unchecked, bytes);
    }

    /** {@code bytes} in MB, rounded up, as the room checks and their messages count. */
    public static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** True when {@code address} (null: a Unix socket) is this machine: loopback, or one of its interfaces. */
    public static boolean isThisMachine(String address) {
        if (address == null || address.isBlank() || address.startsWith("/")) {
            return true;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(address)) {
                if (a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }
}
