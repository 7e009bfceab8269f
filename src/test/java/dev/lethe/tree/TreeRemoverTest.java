package dev.lethe.tree;

import static dev.lethe.tree.Scratch.SYS;
import static dev.lethe.linux.Syscalls.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.Flags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TreeRemoverTest {

    private Scratch scratch;

    @BeforeEach
    void createScratch() throws IOException {
        scratch = Scratch.create();
    }

    @AfterEach
    void removeScratch() {
        scratch.close();
    }

    private void remove(Path parent, String name) throws IOException {
        try (Scratch.Fd dir = scratch.openPath(parent)) {
            TreeRemover.remove(SYS, dir.value(), bytes(name));
        }
    }

    @Test
    void removesARichTreeWithoutFollowingItsSymlinks() throws IOException {
        Trees.build(scratch, scratch.path("tree"));
        scratch.sh("mkdir outside && printf keep > outside/file"
                + " && ln -s ../outside tree/to-outside-dir && ln -s ../outside/file tree/a/to-outside-file"
                + " && chmod 0500 tree/a/b");

        remove(scratch.dir, "tree");

        assertThat(Files.exists(scratch.path("tree"))).isFalse();
        assertThat(scratch.sh("cat outside/file")).isEqualTo("keep");
        assertThat(Files.isRegularFile(Path.of("/etc/passwd"))).isTrue();
    }

    @Test
    void removesASingleFileOrSymlink() throws IOException {
        scratch.sh("printf x > file && ln -s file link");

        remove(scratch.dir, "link");
        assertThat(scratch.sh("ls")).isEqualTo("file\n");
        remove(scratch.dir, "file");
        assertThat(scratch.sh("ls")).isEmpty();
    }

    @Test
    void removeContentsKeepsTheDirectoryAndAcceptsAnOPathDescriptor() throws IOException {
        scratch.sh("mkdir -p dir/a/b && printf x > dir/a/b/f && printf y > \"dir/" + Trees.BAD_NAME_SH + "\""
                + " && ln -s /etc dir/etc && mkfifo dir/fifo && chmod 0700 dir");

        try (Scratch.Fd dir = scratch.openPath(scratch.path("dir"))) {
            TreeRemover.removeContents(SYS, dir.value());
        }

        assertThat(scratch.sh("ls -A dir")).isEmpty();
        assertThat(scratch.lstat("dir").permissions()).isEqualTo(0700);
    }

    @Test
    void removeContentsAcceptsAReadableDescriptor() throws IOException {
        scratch.sh("mkdir -p dir/sub && printf x > dir/sub/f");
        int fd = SYS.openat(Flags.AT_FDCWD, bytes(scratch.path("dir").toString()),
                Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        try {
            TreeRemover.removeContents(SYS, fd);
        } finally {
            SYS.close(fd);
        }
        assertThat(scratch.sh("ls -A dir")).isEmpty();
    }

    @Test
    void refusesANestedMountAndDeletesNothing() throws IOException {
        scratch.sh("mkdir -p tree/a tree/z && printf x > tree/0-first && printf x > tree/a/0-first && printf x > tree/z/last");
        Path mount = scratch.mountTmpfs("tree/a/mnt", "size=1m");
        Files.writeString(mount.resolve("other-filesystem"), "precious");

        assertThatThrownBy(() -> remove(scratch.dir, "tree"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("a/mnt is a mount point or on another filesystem");
        try (Scratch.Fd dir = scratch.openPath(scratch.path("tree"))) {
            assertThatThrownBy(() -> TreeRemover.removeContents(SYS, dir.value()))
                    .hasMessageStartingWith("a/mnt is a mount point or on another filesystem");
        }

        assertThat(scratch.sh("cd tree && find . | sort"))
                .isEqualTo(".\n./0-first\n./a\n./a/0-first\n./a/mnt\n./a/mnt/other-filesystem\n./z\n./z/last\n");
    }

    @Test
    void refusesABindMountedFile() throws IOException {
        scratch.sh("mkdir tree && printf x > tree/file && printf precious > elsewhere");
        scratch.bindMount(scratch.path("elsewhere"), scratch.path("tree/file"));

        assertThatThrownBy(() -> remove(scratch.dir, "tree")).hasMessageStartingWith("file is a mount point or on another filesystem");
        assertThat(scratch.sh("cat tree/file")).isEqualTo("precious");
    }

    @Test
    void refusesToRemoveAMountPoint() throws IOException {
        Path mount = scratch.mountTmpfs("mnt", "size=1m");
        Files.writeString(mount.resolve("file"), "precious");

        assertThatThrownBy(() -> remove(scratch.dir, "mnt")).hasMessageContaining("mnt is a mount point");
        assertThat(Files.readString(mount.resolve("file"))).isEqualTo("precious");
    }

    @Test
    void emptiesTheRootOfAMountWhenAskedTo() throws IOException {
        Path mount = scratch.mountTmpfs("mnt", "size=1m");
        scratch.sh("mkdir -p mnt/a/b && printf x > mnt/a/b/f");

        try (Scratch.Fd dir = scratch.openPath(mount)) {
            TreeRemover.removeContents(SYS, dir.value());
        }

        assertThat(scratch.sh("ls -A mnt")).isEmpty();
    }

    @Test
    void refusesANestedMountEvenWhenItIsTheSameFilesystem() throws IOException {
        scratch.sh("mkdir -p tree/bound other && printf precious > other/file");
        scratch.bindMount(scratch.path("other"), scratch.path("tree/bound"));

        assertThatThrownBy(() -> remove(scratch.dir, "tree")).hasMessageStartingWith("bound is a mount point or on another filesystem");
        assertThat(scratch.sh("cat other/file")).isEqualTo("precious");
    }
}
