package dev.lethe.tree;

import static dev.lethe.tree.Scratch.SYS;
import static dev.lethe.linux.Syscalls.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Stat;
import dev.lethe.model.Progress;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TreeCopierTest {

    private Scratch scratch;
    private final TreeCopier copier = new TreeCopier(SYS, Progress.NONE);

    @BeforeEach
    void createScratch() throws IOException {
        scratch = Scratch.create();
    }

    @AfterEach
    void removeScratch() {
        scratch.close();
    }

    private void copy(Path sourceParent, String sourceName, Path destParent, String destName) throws IOException {
        try (Scratch.Fd from = scratch.openPath(sourceParent); Scratch.Fd to = scratch.openPath(destParent)) {
            copier.copy(from.value(), bytes(sourceName), to.value(), bytes(destName));
        }
    }

    private void verify(Path aParent, String aName, Path bParent, String bName) throws IOException {
        try (Scratch.Fd a = scratch.openPath(aParent); Scratch.Fd b = scratch.openPath(bParent)) {
            TreeVerifier.verify(SYS, a.value(), bytes(aName), b.value(), bytes(bName), Progress.NONE);
        }
    }

    @Test
    void copiesARichTreeFaithfullyOnOneFilesystem() throws IOException {
        Trees.build(scratch, scratch.path("src"));

        copy(scratch.dir, "src", scratch.dir, "dst");

        assertFaithfulCopy(scratch.path("src"), scratch.path("dst"));
    }

    @Test
    void copiesFromTmpfsToExt4() throws IOException {
        Path tmpfs = scratch.mountTmpfs("tmpfs", "size=32m");
        Path ext4 = scratch.mountExt4("ext4");
        Trees.build(scratch, tmpfs.resolve("src"));

        copy(tmpfs, "src", ext4, "dst");

        assertFaithfulCopy(tmpfs.resolve("src"), ext4.resolve("dst"));
    }

    @Test
    void copiesFromExt4ToTmpfs() throws IOException {
        Path ext4 = scratch.mountExt4("ext4");
        Path tmpfs = scratch.mountTmpfs("tmpfs", "size=32m");
        Trees.build(scratch, ext4.resolve("src"));

        copy(ext4, "src", tmpfs, "dst");

        assertFaithfulCopy(ext4.resolve("src"), tmpfs.resolve("dst"));
    }

    /** Checks the copy by external tools and by statx, independently of TreeVerifier, then with it. */
    private void assertFaithfulCopy(Path src, Path dst) throws IOException {
        assertThat(Trees.describe(scratch, dst)).isEqualTo(Trees.describe(scratch, src));

        Stat sparse = SYS.statx(-100, bytes(dst.resolve("sparse").toString()), 0);
        assertThat(sparse.size()).isEqualTo(Trees.SPARSE_SIZE);
        assertThat(sparse.blocks() * 512).as("allocated bytes of the sparse copy").isLessThanOrEqualTo(64 * 1024);
        assertThat(Files.readAllBytes(dst.resolve("sparse"))).isEqualTo(Files.readAllBytes(src.resolve("sparse")));

        assertThat(stat(dst, "a/b/hardlink.bin").inode()).isEqualTo(stat(dst, "a/random.bin").inode());
        assertThat(stat(dst, "linked-twice").inode()).isEqualTo(stat(dst, "a/b/c/file.txt").inode());
        assertThat(stat(dst, "a/random.bin").inode()).isNotEqualTo(stat(dst, "a/b/c/file.txt").inode());
        assertThat(Files.readAllBytes(dst.resolve("a/random.bin"))).isEqualTo(Files.readAllBytes(src.resolve("a/random.bin")));

        assertThat(Files.readSymbolicLink(dst.resolve("etc-link"))).isEqualTo(Path.of("/etc"));
        assertThat(Files.readSymbolicLink(dst.resolve("a/b/rel-link"))).isEqualTo(Path.of("../c/file.txt"));
        assertThat(Files.readSymbolicLink(dst.resolve("dangling"))).isEqualTo(Path.of("/nonexistent/dangling"));
        assertThat(stat(dst, "dangling").uid()).isEqualTo(1234);
        assertThat(stat(dst, "dangling").mtimeNsec()).isEqualTo(123456789);

        assertThat(stat(dst, "fifo").type()).isEqualTo(FileType.S_IFIFO);
        assertThat(stat(dst, "socket").type()).isEqualTo(FileType.S_IFSOCK);
        assertThat(stat(dst, "null-device").type()).isEqualTo(FileType.S_IFCHR);
        assertThat(stat(dst, "null-device").rdev()).isEqualTo(stat(src, "null-device").rdev());

        assertThat(stat(dst, "setuid").permissions()).isEqualTo(04755);
        assertThat(stat(dst, "shared").permissions()).isEqualTo(02775);
        assertThat(stat(dst, "sticky").permissions()).isEqualTo(01777);
        assertThat(stat(dst, "owned").uid()).isEqualTo(1234);
        assertThat(stat(dst, "owned").gid()).isEqualTo(5678);
        assertThat(Scratch.run(dst, List.of("getcap", "capable"))).contains("cap_net_bind_service");
        assertThat(stat(dst, "a/b/c/file.txt").mtimeSec()).isEqualTo(stat(src, "a/b/c/file.txt").mtimeSec());
        assertThat(stat(dst, "a/b/c/file.txt").mtimeNsec()).isEqualTo(123456789);
        assertThat(stat(dst, ".").mtimeNsec()).isEqualTo(123456789);

        String acl = Scratch.run(dst, List.of("getfacl", "-c", "owned", "acl-dir", "acl-dir/inherited"));
        assertThat(acl).contains("user:1234:rwx", "default:group:5678:r-x")
                .isEqualTo(Scratch.run(src, List.of("getfacl", "-c", "owned", "acl-dir", "acl-dir/inherited")));
        assertThat(Scratch.run(dst, List.of("getfattr", "-n", "user.comment", "--only-values", "a/b/c/file.txt")))
                .isEqualTo("hello xattr");

        byte[] badName = concat(bytes(dst.toString() + "/"), Trees.BAD_NAME);
        assertThat(SYS.statx(-100, badName, 0).size()).isEqualTo(5);
        byte[] badDirFile = concat(bytes(dst.toString() + "/"), Trees.BAD_DIR, new byte[] {'/', (byte) 0xfe});
        assertThat(SYS.statx(-100, badDirFile, 0).size()).isEqualTo(2);

        // Never followed: /etc's files are not in the copy.
        assertThat(stat(dst, "etc-link").isSymlink()).isTrue();

        verify(src.getParent(), src.getFileName().toString(), dst.getParent(), dst.getFileName().toString());
    }

    @Test
    void keepsHolesInSparseFiles() throws IOException {
        scratch.sh("mkdir src && truncate -s 100M src/big && printf tail >> src/big");

        copy(scratch.dir, "src", scratch.dir, "dst");

        Stat copy = scratch.lstat("dst/big");
        assertThat(copy.size()).isEqualTo(100L * 1024 * 1024 + 4);
        assertThat(copy.blocks() * 512).isLessThanOrEqualTo(64 * 1024);
        assertThat(scratch.sh("tail -c 4 dst/big")).isEqualTo("tail");
    }

    @Test
    void copiesASingleFileWithItsAttributes() throws IOException {
        scratch.sh("printf data > file && chown 1234:5678 file && chmod 6750 file && setfattr -n user.a -v b file"
                + " && touch -d '" + Trees.TIME + "' file");

        copy(scratch.dir, "file", scratch.dir, "copy");

        Stat copy = scratch.lstat("copy");
        assertThat(copy.permissions()).isEqualTo(06750);
        assertThat(copy.uid()).isEqualTo(1234);
        assertThat(copy.gid()).isEqualTo(5678);
        assertThat(copy.mtimeNsec()).isEqualTo(123456789);
        assertThat(scratch.sh("cat copy; getfattr -n user.a --only-values copy")).isEqualTo("datab");
        verify(scratch.dir, "file", scratch.dir, "copy");
    }

    @Test
    void copiesASymlinkToADirectoryAsALinkWithoutFollowingIt() throws IOException {
        scratch.sh("ln -s /etc link");

        copy(scratch.dir, "link", scratch.dir, "copy");

        assertThat(scratch.lstat("copy").isSymlink()).isTrue();
        assertThat(Files.readSymbolicLink(scratch.path("copy"))).isEqualTo(Path.of("/etc"));
        verify(scratch.dir, "link", scratch.dir, "copy");
    }

    @Test
    void aSymlinkToEtcInsideTheTreeStaysALink() throws IOException {
        scratch.sh("mkdir src && ln -s /etc src/etc && ln -s /etc/passwd src/passwd");

        copy(scratch.dir, "src", scratch.dir, "dst");

        assertThat(scratch.sh("find dst | sort")).isEqualTo("dst\ndst/etc\ndst/passwd\n");
        assertThat(scratch.lstat("dst/etc").isSymlink()).isTrue();
        assertThat(scratch.lstat("dst/passwd").isSymlink()).isTrue();
    }

    @Test
    void refusesAnExistingDestinationAndLeavesItAlone() throws IOException {
        scratch.sh("mkdir src && printf new > src/file && printf x > file"
                + " && mkdir dir && printf old > dir/file && printf old > existing && ln -s /nonexistent dangling");

        for (String existing : List.of("dir", "existing", "dangling")) {
            assertThatThrownBy(() -> copy(scratch.dir, "src", scratch.dir, existing))
                    .isInstanceOf(FileAlreadyExistsException.class)
                    .hasMessageContaining(existing)
                    .hasMessageContaining("already exists");
            assertThatThrownBy(() -> copy(scratch.dir, "file", scratch.dir, existing))
                    .isInstanceOf(FileAlreadyExistsException.class);
        }

        assertThat(scratch.sh("cat dir/file existing; ls dir; readlink dangling")).isEqualTo("oldoldfile\n/nonexistent\n");
        assertThat(Files.exists(Path.of("/nonexistent"))).isFalse();
    }

    @Test
    void refusesNamesThatAreNotOneComponent() {
        for (String name : List.of("", ".", "..", "a/b")) {
            assertThatThrownBy(() -> copy(scratch.dir, name, scratch.dir, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> copy(scratch.dir, "x", scratch.dir, name)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesToCopyAcrossANestedMount() throws IOException {
        scratch.sh("mkdir -p src/a");
        Path mount = scratch.mountTmpfs("src/a/mnt", "size=1m");
        Files.writeString(mount.resolve("other-filesystem"), "x");

        assertThatThrownBy(() -> copy(scratch.dir, "src", scratch.dir, "dst"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("a/mnt is a mount point or on another filesystem");
    }

    @Test
    void refusesToCopyIntoItself() throws IOException {
        scratch.sh("mkdir -p src/sub && printf x > src/sub/file");

        assertThatThrownBy(() -> copy(scratch.dir, "src", scratch.path("src/sub"), "copy"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("sub/copy is the destination of this copy");
    }

    @Test
    void errorsNameThePathInsideTheTree() throws IOException {
        scratch.sh("mkdir -p src/x/y && head -c 3000000 /dev/urandom > src/x/y/big");
        Path small = scratch.mountTmpfs("small", "size=1m");

        assertThatThrownBy(() -> copy(scratch.dir, "src", small, "dst"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
                    assertThat(e.path()).isEqualTo("x/y/big");
                });
    }

    @Test
    void dropsAclsInheritedFromTheDestinationParent() throws IOException {
        scratch.sh("mkdir -p src/sub store && printf x > src/sub/file && setfacl -d -m u:1234:rwx store");

        copy(scratch.dir, "src", scratch.path("store"), "dst");

        assertThat(scratch.sh("getfattr -R -d -m - store/dst")).isEmpty();
        verify(scratch.dir, "src", scratch.path("store"), "dst");
    }

    @Test
    void copiesNonUtf8NamesAtTheTop() throws IOException {
        scratch.sh("mkdir \"" + Trees.BAD_DIR_SH + "\" && printf x > \"" + Trees.BAD_DIR_SH + "/" + Trees.BAD_NAME_SH + "\"");

        try (Scratch.Fd dir = scratch.openPath(scratch.dir)) {
            copier.copy(dir.value(), Trees.BAD_DIR, dir.value(), Trees.BAD_NAME);
            TreeVerifier.verify(SYS, dir.value(), Trees.BAD_DIR, dir.value(), Trees.BAD_NAME, Progress.NONE);
        }

        assertThat(scratch.lstat(concat(Trees.BAD_NAME, new byte[] {'/'}, Trees.BAD_NAME)).size()).isEqualTo(1);
    }

    private static Stat stat(Path root, String relative) throws ErrnoException {
        return SYS.statx(-100, bytes(root.resolve(relative).toString()), 0);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
