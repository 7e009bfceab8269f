package dev.lethe.root;

import dev.lethe.linux.Syscalls;
import dev.lethe.model.AbsolutePath;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Where a strategy acts, and with what: built once by the composition root, so that no strategy
 * makes its own native layer, runs processes behind the tests' back or reads the machine's clock.
 *
 * @param root      the host path of the managed root (--root; "/" normally, "/sysroot" in the initrd)
 * @param stores    the config's store paths, which a strategy must never take for the root
 * @param scratch   a host directory for temporary mount points (the top level of a btrfs device, an
 *                  archive opened read-only); it exists and is empty when the strategy starts
 * @param sys       the syscall port (with crash points where the tests ask for them)
 * @param tools     runs the filesystems' own tools (btrfs, zfs, mount)
 * @param clock     the present moment and the zone archives are named and counted in
 */
public record RootContext(Path root, List<AbsolutePath> stores, Path scratch, Syscalls sys, Tools tools,
        Clock clock) {
    public RootContext {
        stores = List.copyOf(stores);
        Objects.requireNonNull(sys);
        Objects.requireNonNull(tools);
        Objects.requireNonNull(clock);
    }
}
