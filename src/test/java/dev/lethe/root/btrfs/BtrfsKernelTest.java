package dev.lethe.root.btrfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.CrashPoints;
import dev.lethe.linux.Descriptor;
import dev.lethe.linux.Errno;
import dev.lethe.linux.Flags;
import dev.lethe.linux.SubvolumeInfo;
import dev.lethe.linux.Syscalls;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.root.ProcessTools;
import dev.lethe.root.RootException;
import dev.lethe.root.btrfs.Btrfs.Subvolume;
import dev.lethe.root.btrfs.Mounted.Access;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel interfaces the btrfs strategy reads and mounts through, on a real btrfs loop device,
 * against the tools they replace: BTRFS_IOC_GET_SUBVOL_INFO against {@code btrfs subvolume show}
 * and {@code btrfs property get}, the superblock read against {@code blkid -p}, the mount API
 * against what /proc/self/mountinfo shows, BTRFS_IOC_SYNC against a subvolume's generation.
 * Root, in a private mount namespace.
 */
class BtrfsKernelTest {

    private final Syscalls sys = new FfmSyscalls();
    private final Btrfs btrfs = new Btrfs(ProcessTools.INSTANCE, sys);

    @AfterEach
    void disarm() {
        CrashPoints.inject(null);
    }

    /** Every field {@code btrfs subvolume show} prints that the ioctl also reads, for subvolumes of every kind. */
    @Test
    void aSubvolumeReadsAsBtrfsSubvolumeShowPrintsIt() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Sh.run("btrfs", "-q", "subvolume", "snapshot", disk.at("@root").toString(), disk.at("@root-2").toString());
            disk.use("@root-2", "etc/written-after");  // its generation moves past its creation
            Sh.run("btrfs", "filesystem", "sync", disk.top.toString());
            for (String path : List.of("@root", "@root-blank", "@root-2", "@persist", "@root/var/lib/machines",
                    "@root/var/lib/machines/inner")) {
                Map<String, String> shown = show(disk.at(path));
                SubvolumeInfo info;
                try (Descriptor fd = sys.open(Flags.AT_FDCWD, Syscalls.bytes(disk.at(path).toString()),
                        Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0)) {
                    info = sys.btrfsSubvolumeInfo(fd.value());
                }
                assertThat(info.id()).as(path).isEqualTo(Long.parseLong(shown.get("Subvolume ID")));
                assertThat(info.parentId()).as(path).isEqualTo(Long.parseLong(shown.get("Parent ID")));
                assertThat(info.name()).as(path).isEqualTo(shown.get("Name"));
                assertThat(info.uuid().toString()).as(path).isEqualTo(shown.get("UUID"));
                assertThat(info.parentUuid().map(Object::toString).orElse("-")).as(path).isEqualTo(shown.get("Parent UUID"));
                assertThat(info.generation()).as(path).isEqualTo(Long.parseLong(shown.get("Generation")));
                assertThat(info.createdIn()).as(path).isEqualTo(Long.parseLong(shown.get("Gen at creation")));
                assertThat(info.readOnly()).as(path).isEqualTo(shown.get("Flags").contains("readonly"));

                assertThat(btrfs.show(disk.at(path))).as(path).contains(new Subvolume(info.id(), shown.get("UUID"),
                        shown.get("Parent UUID"), info.generation(), info.createdIn()));
                assertThat(btrfs.isReadOnly(disk.at(path))).as(path)
                        .isEqualTo(Sh.run("btrfs", "property", "get", "-ts", disk.at(path).toString(), "ro").strip().equals("ro=true"));
            }
            Subvolume written = btrfs.show(disk.at("@root-2")).orElseThrow();
            assertThat(written.generation()).isGreaterThan(written.createdInGen());
            assertThat(written.parentUuid()).isEqualTo(btrfs.show(disk.at("@root")).orElseThrow().uuid());
            assertThat(btrfs.isReadOnly(disk.at("@root-blank"))).isTrue();
            assertThat(btrfs.isReadOnly(disk.at("@root"))).isFalse();
        }
    }

    /**
     * What btrfs subvolume show refuses is no subvolume here either: a plain directory, a file, a
     * missing path, and the empty directory a snapshot holds where its source had a nested
     * subvolume. Unlike the tool, a symbolic link to a subvolume is not followed: lethe refuses a
     * link where the config names a subvolume.
     */
    @Test
    void whatIsNoSubvolumeReadsAsNone() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Sh.run("btrfs", "-q", "subvolume", "snapshot", disk.at("@root").toString(), disk.at("@snap").toString());
            Files.createSymbolicLink(disk.at("link-to-root"), Path.of("@root"));
            for (String path : List.of("@root/etc", "@root/etc/fstab", "missing", "@snap/var/lib/machines")) {
                assertThat(Sh.tryRun("btrfs", "subvolume", "show", disk.at(path).toString()).exit())
                        .as("btrfs subvolume show %s", path).isNotZero();
                assertThat(btrfs.show(disk.at(path))).as(path).isEmpty();
            }
            assertThat(btrfs.show(disk.at("link-to-root"))).isEmpty();
            assertThat(btrfs.show(disk.at("@snap"))).isPresent();
        }
    }

    @Test
    void theProbeReadsTheSuperblockAsBlkidDoes() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            Map<String, String> blkid = blkid(disk.device);
            assertThat(blkid).containsEntry("TYPE", "btrfs");
            assertThat(btrfs.probe(disk.device)).isEqualTo(new Btrfs.Probe("btrfs", blkid.get("UUID")));

            // The same device through a symbolic link, as /dev/disk/by-uuid names it.
            Path link = disk.scratch.resolve("by-uuid");
            Files.createSymbolicLink(link, Path.of(disk.device));
            assertThat(btrfs.probe(link.toString()).uuid()).isEqualTo(blkid.get("UUID"));

            Path ext4 = disk.scratch.resolve("ext4.img");
            Sh.run("truncate", "-s", "32M", ext4.toString());
            Sh.run("mkfs.ext4", "-q", "-F", ext4.toString());
            assertThat(btrfs.probe(ext4.toString()).type()).isEqualTo("ext4");
            Path empty = disk.scratch.resolve("empty.img");
            Sh.run("truncate", "-s", "32M", empty.toString());
            assertThat(btrfs.probe(empty.toString()).type()).isEmpty();
            assertThatThrownBy(() -> btrfs.probe(disk.scratch.resolve("no-such-device").toString()))
                    .isInstanceOf(RootException.class).hasMessageContaining("no-such-device");
        }
    }

    /**
     * A read-only top level is read-only and noatime in the mount table, and leaves the filesystem
     * writable where it is mounted read-write already (the running system's mounts); a read-write one
     * writes; each is gone, mount point and all, once closed.
     */
    @Test
    void theTopLevelMountsThroughTheMountApi() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Path scratch = Files.createDirectories(disk.scratch.resolve("mounts"));
            Path where;
            try (Mounted top = Mounted.subvolume(sys, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch)) {
                where = top.path;
                assertThat(mountOptions(where)).contains("ro", "noatime");
                assertThat(top.resolve("@root/etc/fstab")).exists();
                assertThatThrownBy(() -> Files.writeString(top.resolve("@root/etc/new"), "x"))
                        .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only");
                disk.use("@root", "etc/still-writable");
            }
            assertThat(mountOptions(where)).isEmpty();
            assertThat(where).doesNotExist();

            try (Mounted top = Mounted.subvolume(sys, disk.device, Mounted.TOP_LEVEL, Access.READ_WRITE, scratch)) {
                assertThat(mountOptions(top.path)).contains("rw", "noatime");
                Files.writeString(top.resolve("@root/etc/through-lethe"), "x");
            }
            assertThat(disk.at("@root/etc/through-lethe")).exists();

            long persist = btrfs.show(disk.at("@persist")).orElseThrow().id();
            try (Mounted opened = Mounted.subvolume(sys, disk.device, persist, Access.READ_ONLY, scratch)) {
                assertThat(opened.resolve("var/lib/data")).isDirectory();
                assertThat(btrfs.show(opened.path).orElseThrow().id()).isEqualTo(persist);
            }
        }
    }

    /** On a filesystem mounted nowhere else, a read-only mount makes the superblock read-only: nothing is written. */
    @Test
    void aReadOnlyMountOfAnUnmountedFilesystemIsReadOnlyThroughout() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            BtrfsDisk.unmountBelow(disk.scratch);
            Path scratch = Files.createDirectories(disk.scratch.resolve("mounts"));
            try (Mounted top = Mounted.subvolume(sys, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch)) {
                assertThat(superOptions(top.path)).startsWith("ro,");
            }
        }
    }

    @Test
    void aDeviceWithoutBtrfsIsNotMountedAndNamedInTheError() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            Path scratch = Files.createDirectories(disk.scratch.resolve("mounts"));
            Path empty = disk.scratch.resolve("empty.img");
            Sh.run("truncate", "-s", "32M", empty.toString());
            String loop = Sh.run("losetup", "--find", "--show", empty.toString()).strip();
            try {
                assertThatThrownBy(() -> Mounted.subvolume(sys, loop, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch))
                        .isInstanceOf(RootException.class).hasMessageContaining(loop).hasMessageContaining("fsconfig");
                try (var left = Files.list(scratch)) {
                    assertThat(left).as("mount points left behind").isEmpty();
                }
            } finally {
                Sh.tryRun("losetup", "-d", loop);
            }
        }
    }

    /**
     * BTRFS_IOC_SYNC commits the running transaction: a write raises the subvolume's generation in
     * its root item only when the transaction commits (the commit interval is 30 s, far longer than
     * this test).
     */
    @Test
    void syncCommitsWhatWasWritten() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            disk.standardLayout();
            Sh.run("btrfs", "filesystem", "sync", disk.top.toString());
            Path scratch = Files.createDirectories(disk.scratch.resolve("mounts"));
            try (Mounted top = Mounted.subvolume(sys, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch)) {
                long before = btrfs.show(top.resolve("@persist")).orElseThrow().generation();
                disk.use("@persist", "new-file");
                assertThat(btrfs.show(top.resolve("@persist")).orElseThrow().generation()).as("before the sync").isEqualTo(before);
                top.sync();
                assertThat(btrfs.show(top.resolve("@persist")).orElseThrow().generation()).isGreaterThan(before);
            }
        }
    }

    /** Crash injection reaches the mount (creating the superblock, attaching it) and the sync. */
    @Test
    void theMountAndTheSyncAreCrashPoints() throws Exception {
        try (BtrfsDisk disk = new BtrfsDisk()) {
            Path scratch = Files.createDirectories(disk.scratch.resolve("mounts"));
            CrashPoints.inject(CrashPoints.Fault.failAt(1, Errno.EIO));
            Syscalls faulty = CrashPoints.wrap(sys);
            assertThatThrownBy(() -> Mounted.subvolume(faulty, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch))
                    .isInstanceOf(RootException.class).hasMessageContaining("injected");
            assertThat(CrashPoints.injectedMutations()).isEqualTo(1);

            CrashPoints.inject(CrashPoints.Fault.failAt(2, Errno.EIO));
            Syscalls faultyAtAttach = CrashPoints.wrap(sys);
            assertThatThrownBy(() -> Mounted.subvolume(faultyAtAttach, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch))
                    .isInstanceOf(RootException.class).hasMessageContaining("injected");
            try (var left = Files.list(scratch)) {
                assertThat(left).as("mount points left behind").isEmpty();
            }

            CrashPoints.inject(CrashPoints.Fault.crashAt(3));
            Syscalls dying = CrashPoints.wrap(sys);
            try (Mounted top = Mounted.subvolume(dying, disk.device, Mounted.TOP_LEVEL, Access.READ_ONLY, scratch)) {
                assertThat(CrashPoints.injectedMutations()).isEqualTo(2);
                assertThatThrownBy(top::sync).isInstanceOf(CrashPoints.SimulatedCrash.class);
                CrashPoints.inject(null);
            } catch (CrashPoints.SimulatedCrash e) {
                // The port is dead: its umount throws too. Left for the disk's cleanup, as after a power cut.
            }
        }
    }

    /** The tab-indented "Field: value" lines of btrfs subvolume show, and the name on its second line. */
    private static Map<String, String> show(Path path) {
        Map<String, String> fields = new HashMap<>();
        for (String line : Sh.run("btrfs", "subvolume", "show", path.toString()).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("\t")) {
                fields.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static Map<String, String> blkid(String device) {
        Map<String, String> values = new HashMap<>();
        for (String line : Sh.run("blkid", "-p", "-o", "export", device).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    /** The per-mount options of the mount at {@code mountPoint}, or none if nothing is mounted there. */
    private static List<String> mountOptions(Path mountPoint) throws IOException {
        return mountInfo(mountPoint).map(fields -> List.of(fields[5].split(","))).orElse(List.of());
    }

    /** The superblock's options (after the " - fstype source" fields). */
    private static String superOptions(Path mountPoint) throws IOException {
        String[] fields = mountInfo(mountPoint).orElseThrow();
        int separator = List.of(fields).indexOf("-");
        return fields[separator + 3];
    }

    private static Optional<String[]> mountInfo(Path mountPoint) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(line -> line.split(" "))
                .filter(fields -> fields[4].equals(mountPoint.toString())).reduce((first, last) -> last);
    }
}
