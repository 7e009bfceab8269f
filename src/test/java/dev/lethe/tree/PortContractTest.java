package dev.lethe.tree;

import static dev.lethe.tree.Scratch.SYS;
import static dev.lethe.linux.Syscalls.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of the syscall port (FfmSyscalls) that copying, verifying and removing trees rely
 * on, checked against the kernel and coreutils: struct offsets, buffer loops and flag handling.
 */
class PortContractTest {

    private Scratch scratch;
    private Scratch.Fd dir;

    @BeforeEach
    void createScratch() throws IOException {
        scratch = Scratch.create();
        dir = scratch.openPath(scratch.dir);
    }

    @AfterEach
    void removeScratch() {
        dir.close();
        scratch.close();
    }

    @Test
    void statxFieldsMatchCoreutilsStat() throws ErrnoException {
        scratch.sh("printf abc > f && chown 1234:5678 f && chmod 4751 f && ln f g"
                + " && touch -a -d '2002-03-04 05:06:07.7654321' f && touch -m -d '2001-02-03 04:05:06.123456789' f");
        for (String path : List.of(scratch.path("f").toString(), "/dev/null", scratch.dir.toString())) {
            String[] expected = Scratch.run(scratch.dir, List.of("stat", "-c", "%i %h %u %g %s %b %f %.9X %.9Y %t %T %d", path))
                    .trim().split(" ");
            Stat stat = SYS.statx(Flags.AT_FDCWD, bytes(path), 0);
            int mode = Integer.parseInt(expected[6], 16);
            assertThat(new Object[] {stat.inode(), stat.nlink(), stat.uid(), stat.gid(), stat.blocks(),
                    stat.type() | stat.permissions(), time(stat.atimeSec(), stat.atimeNsec()),
                    time(stat.mtimeSec(), stat.mtimeNsec()), stat.device()})
                    .as(path)
                    .containsExactly(Long.parseLong(expected[0]), Integer.parseInt(expected[1]),
                            Integer.parseInt(expected[2]), Integer.parseInt(expected[3]), Long.parseLong(expected[5]),
                            mode, expected[7], expected[8], Long.parseLong(expected[11]));
            if (!stat.isDirectory()) {
                assertThat(stat.size()).isEqualTo(Long.parseLong(expected[4]));
            }
            long major = Long.parseLong(expected[9], 16);
            long minor = Long.parseLong(expected[10], 16);
            assertThat(stat.rdev()).isEqualTo((major << 8) | minor);
        }
        assertThat(SYS.statx(dir.value(), bytes("f"), 0).permissions()).isEqualTo(04751);
    }

    private static String time(long seconds, int nanos) {
        return seconds + "." + String.format("%09d", nanos);
    }

    @Test
    void statxSaysWhichDirectoryIsAMountRoot() throws ErrnoException {
        assertThat(SYS.statx(Flags.AT_FDCWD, bytes("/"), 0).mountRoot()).isTrue();
        assertThat(SYS.statx(dir.value(), TreeAccess.EMPTY_PATH, Flags.AT_EMPTY_PATH).mountRoot()).isFalse();
    }

    @Test
    void statxNeverFollowsTheLastSymlink() throws ErrnoException {
        scratch.sh("ln -s /etc link");
        assertThat(SYS.statx(dir.value(), bytes("link"), 0).type()).isEqualTo(FileType.S_IFLNK);
    }

    @Test
    void listsLargeDirectoriesWithRawNamesAndFromTheStartEveryTime() throws ErrnoException {
        // 3000 names of 100 bytes need several getdents64 calls with the port's 32 KiB buffer.
        scratch.sh("mkdir big && cd big && i=0 && while [ $i -lt 3000 ]; do"
                + " : > \"$(printf '%0100d' $i)\"; i=$((i + 1)); done && : > \"" + Trees.BAD_NAME_SH + "\"");
        int big = SYS.openat(dir.value(), bytes("big"), TreeAccess.DIRECTORY_FLAGS, 0);
        try {
            List<byte[]> first = names(SYS.listDirectory(big));
            List<byte[]> second = names(SYS.listDirectory(big));
            assertThat(first).hasSize(3001);
            assertThat(first.stream().anyMatch(n -> Arrays.equals(n, Trees.BAD_NAME))).isTrue();
            assertThat(first.stream().anyMatch(n -> new String(n).equals(String.format("%0100d", 2999)))).isTrue();
            assertThat(second).hasSize(3001);
        } finally {
            SYS.close(big);
        }
    }

    private static List<byte[]> names(List<Syscalls.DirEntry> entries) {
        List<byte[]> names = new ArrayList<>();
        entries.forEach(e -> names.add(e.name()));
        return names;
    }

    @Test
    void extendedAttributesRoundTrip() throws ErrnoException {
        scratch.sh("printf x > f");
        byte[] large = new byte[3000];
        Arrays.fill(large, (byte) 0xab);
        int fd = SYS.openat(dir.value(), bytes("f"), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
        try {
            assertThat(SYS.flistxattr(fd)).isEmpty();
            SYS.fsetxattr(fd, bytes("user.empty"), new byte[0]);
            SYS.fsetxattr(fd, bytes("user.large"), large);
            assertThat(SYS.flistxattr(fd)).extracting(String::new).containsExactlyInAnyOrder("user.empty", "user.large");
            assertThat(SYS.fgetxattr(fd, bytes("user.empty"))).isEmpty();
            assertThat(SYS.fgetxattr(fd, bytes("user.large"))).isEqualTo(large);
        } finally {
            SYS.close(fd);
        }
        assertThat(scratch.sh("getfattr -n user.large -e hex f")).contains("user.large=0x" + "ab".repeat(3000) + "\n");
    }

    @Test
    void utimensatWorksOnDescriptorsNamesAndSymlinks() throws ErrnoException {
        scratch.sh("printf x > f && ln -s f link");
        int fd = SYS.openat(dir.value(), bytes("f"), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
        int path = SYS.openat(dir.value(), bytes("f"), Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
        try {
            SYS.utimensat(fd, TreeAccess.EMPTY_PATH, 1, 2, 3, 4, 0);
            assertThat(scratch.sh("stat -c '%.9X %.9Y' f")).isEqualTo("1.000000002 3.000000004\n");
            SYS.utimensat(path, TreeAccess.EMPTY_PATH, 5, 6, 7, 8, Flags.AT_EMPTY_PATH);
            assertThat(scratch.sh("stat -c '%.9X %.9Y' f")).isEqualTo("5.000000006 7.000000008\n");
            SYS.utimensat(dir.value(), bytes("link"), 9, 10, 11, 12, Flags.AT_SYMLINK_NOFOLLOW);
            assertThat(scratch.sh("stat -c '%.9X %.9Y' link f"))
                    .isEqualTo("9.000000010 11.000000012\n5.000000006 7.000000008\n");
        } finally {
            SYS.close(fd);
            SYS.close(path);
        }
    }

    @Test
    void fchmodatWithNoFollowNeverChangesTheTargetOfASymlink() {
        scratch.sh("printf x > f && chmod 0600 f && ln -s f link");

        assertThatThrownBy(() -> SYS.fchmodat(dir.value(), bytes("link"), 0777, Flags.AT_SYMLINK_NOFOLLOW))
                .isInstanceOf(ErrnoException.class);

        assertThat(scratch.sh("stat -c %a f")).isEqualTo("600\n");
    }

    @Test
    void fchownatWithEmptyPathActsOnTheDescriptor() throws ErrnoException {
        scratch.sh("printf x > f");
        int path = SYS.openat(dir.value(), bytes("f"), Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
        try {
            SYS.fchownat(path, TreeAccess.EMPTY_PATH, 1234, 5678, Flags.AT_EMPTY_PATH);
        } finally {
            SYS.close(path);
        }
        assertThat(scratch.sh("stat -c %u:%g f")).isEqualTo("1234:5678\n");
    }

    @Test
    void seekDataAndSeekHoleFindTheDataOfASparseFile() throws ErrnoException {
        scratch.sh("truncate -s 1M sparse && printf end >> sparse");
        int fd = SYS.openat(dir.value(), bytes("sparse"), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
        try {
            long data = SYS.lseek(fd, 0, Flags.SEEK_DATA);
            assertThat(data).isBetween(1L, 1L << 20);
            assertThat(SYS.lseek(fd, 0, Flags.SEEK_HOLE)).isZero();
            assertThat(SYS.lseek(fd, data, Flags.SEEK_HOLE)).isEqualTo((1L << 20) + 3);
            assertThat(SYS.lseek(fd, (1L << 20) + 3, Flags.SEEK_DATA)).isEqualTo(-1);
        } finally {
            SYS.close(fd);
        }
    }

    @Test
    void readsTheLongestSymlinkTarget() throws ErrnoException {
        byte[] target = new byte[4095];
        Arrays.fill(target, (byte) 'x');
        SYS.symlinkat(target, dir.value(), bytes("long"));
        assertThat(SYS.readlinkat(dir.value(), bytes("long"))).isEqualTo(target);
    }

    @Test
    void mknodatTakesTheDeviceNumberStatxReports() throws ErrnoException {
        Stat devNull = SYS.statx(Flags.AT_FDCWD, bytes("/dev/null"), 0);
        SYS.mknodat(dir.value(), bytes("null"), FileType.S_IFCHR | 0600, devNull.rdev());
        assertThat(SYS.statx(dir.value(), bytes("null"), 0).rdev()).isEqualTo(devNull.rdev());
    }
}
