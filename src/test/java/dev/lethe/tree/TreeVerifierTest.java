package dev.lethe.tree;

import static dev.lethe.tree.Scratch.SYS;
import static dev.lethe.linux.Syscalls.bytes;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.model.Progress;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TreeVerifierTest {

    private Scratch scratch;

    /** A fresh faithful copy of the rich tree: "src" and "dst". */
    @BeforeEach
    void copyTree() throws IOException {
        scratch = Scratch.create();
        Trees.build(scratch, scratch.path("src"));
        try (Scratch.Fd dir = scratch.openPath(scratch.dir)) {
            new TreeCopier(SYS, Progress.NONE).copy(dir.value(), bytes("src"), dir.value(), bytes("dst"));
        }
    }

    @AfterEach
    void removeScratch() {
        scratch.close();
    }

    private void verify(String a, String b) throws IOException {
        try (Scratch.Fd dir = scratch.openPath(scratch.dir)) {
            TreeVerifier.verify(SYS, dir.value(), bytes(a), dir.value(), bytes(b), Progress.NONE);
        }
    }

    @Test
    void passesOnAFreshCopyInBothDirections() {
        assertThatCode(() -> verify("src", "dst")).doesNotThrowAnyException();
        assertThatCode(() -> verify("dst", "src")).doesNotThrowAnyException();
    }

    /**
     * Each change touches one thing and puts the times back (touch -r from the original), so the
     * verifier must find the change itself, not a side effect on a modification time.
     */
    static Stream<Arguments> singleChanges() {
        String bad = Trees.BAD_NAME_SH;
        return Stream.of(
                Arguments.of("one content byte",
                        "printf J | dd of=dst/a/b/c/file.txt bs=1 seek=4 conv=notrunc status=none"
                                + " && touch -r src/a/b/c/file.txt dst/a/b/c/file.txt",
                        "a/b/c/file.txt: content differs at byte 4"),
                Arguments.of("one byte deep in a large file",
                        "last=$(tail -c 1 dst/a/random.bin | od -An -tu1 | tr -d ' ')"
                                + " && printf \"\\\\$(printf %03o $(( (last + 1) % 256 )))\""
                                + " | dd of=dst/a/random.bin bs=1 seek=2999999 conv=notrunc status=none"
                                + " && touch -r src/a/random.bin dst/a/random.bin",
                        "a/b/hardlink.bin: content differs at byte 2999999"),
                Arguments.of("size", "printf more >> dst/emptyfile && touch -r src/emptyfile dst/emptyfile",
                        "emptyfile: size differs: 0 bytes in src, 4 bytes in dst"),
                Arguments.of("mode", "chmod 0755 dst/setuid", "setuid: mode differs: 4755 in src, 0755 in dst"),
                Arguments.of("owner", "chown 4321 dst/owned && chmod 0674 dst/owned",
                        "owned: owner differs: uid 1234 in src, uid 4321 in dst"),
                Arguments.of("group", "chgrp 8765 dst/a/b", "a/b: group differs: gid 5678 in src, gid 8765 in dst"),
                Arguments.of("mtime", "touch -m -d '2010-01-01 00:00:00.5' dst/a/b/c",
                        "a/b/c: modification time differs: 981173106.123456789 in src"),
                Arguments.of("symlink target",
                        "rm dst/a/b/rel-link && ln -s ../c/other dst/a/b/rel-link"
                                + " && touch -h -r src/a/b/rel-link dst/a/b/rel-link && touch -r src/a/b dst/a/b",
                        "a/b/rel-link: symlink target differs: ../c/file.txt in src, ../c/other in dst"),
                Arguments.of("missing file", "rm dst/emptyfile",
                        "emptyfile: missing: present in src, absent in dst"),
                Arguments.of("extra file", "printf x > dst/a/b/c/extra",
                        "a/b/c/extra: extra: absent in src, present in dst"),
                Arguments.of("type", "rm dst/emptyfile && mkdir dst/emptyfile && touch -r src/emptyfile dst/emptyfile"
                                + " && touch -r src dst",
                        "emptyfile: type differs: file in src, directory in dst"),
                Arguments.of("xattr value", "setfattr -n user.comment -v changed dst/a/b/c/file.txt",
                        "a/b/c/file.txt: extended attribute user.comment: values differ"),
                Arguments.of("acl", "setfacl -m u:999:r dst/owned",
                        "owned: extended attribute system.posix_acl_access: values differ"),
                Arguments.of("xattr removed", "setfattr -x user.dir dst/a",
                        "a: extended attribute user.dir: present in src, absent in dst"),
                Arguments.of("hard link broken",
                        "cp -p dst/a/random.bin dst/a/tmp && mv dst/a/tmp dst/a/random.bin && touch -r src/a dst/a",
                        "a/random.bin: hard-link structure differs: a hard link to a/b/hardlink.bin in src, not a link to an earlier name in dst"),
                Arguments.of("device number", "rm dst/null-device && mknod dst/null-device c 1 5 && chmod 644 dst/null-device"
                                + " && touch -r src/null-device dst/null-device && touch -r src dst",
                        "null-device: device number differs: 1:3 in src, 1:5 in dst"),
                Arguments.of("non-UTF-8 name", "printf BYTES > dst/\"" + bad + "\" && touch -r src/\"" + bad + "\" dst/\"" + bad + "\"",
                        "bad\\xff\\xfename: content differs at byte 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleChanges")
    void failsNamingThePathAfterASingleChange(String change, String script, String message) {
        scratch.sh(script);

        assertThatThrownBy(() -> verify("src", "dst"))
                .isInstanceOf(VerificationException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void reportsTheMissingSideTheOtherWayRound() {
        scratch.sh("rm dst/emptyfile && touch -r src dst");

        assertThatThrownBy(() -> verify("dst", "src"))
                .isInstanceOfSatisfying(VerificationException.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.path()).isEqualTo("emptyfile");
                    org.assertj.core.api.Assertions.assertThat(e.difference()).isEqualTo("extra: absent in dst, present in src");
                });
    }

    @Test
    void refusesToCompareATreeWithItself() {
        assertThatThrownBy(() -> verify("src", "src"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("the same file");
    }

    @Test
    void refusesToCompareAcrossANestedMount() throws IOException {
        scratch.sh(": > src/a/b/c/mnt && : > dst/a/b/c/mnt && touch -r src/a/b/c dst/a/b/c");
        scratch.bindMount(scratch.path("src/owned"), scratch.path("src/a/b/c/mnt"));

        assertThatThrownBy(() -> verify("src", "dst"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("a/b/c/mnt is a mount point or on another filesystem");
    }
}
