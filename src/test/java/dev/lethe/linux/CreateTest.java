package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fs.makeDirectory and Fs.makeEmptyFile make the object under a temporary name without looking at
 * the name first; a name found taken at the rename is accepted when it is what was asked for, and
 * refused otherwise, and either way nothing there changes and no temporary is left.
 */
class CreateTest {

    @TempDir
    Path dir;

    private final Syscalls sys = new FfmSyscalls();

    private static final AbsolutePath NAME = AbsolutePath.of("/made");

    private String[] names() {
        return dir.toFile().list();
    }

    private static String ownerAndMode(Path path) throws Exception {
        return Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) + " "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aDirectoryAndAFileAreMadeWithTheirOwnerAndMode() throws Exception {
        try (Fs fs = Fs.open(sys, dir.toString())) {
            fs.makeDirectory(NAME, 1000, 1001, 0750);
            fs.makeEmptyFile(AbsolutePath.of("/made/file"), 1002, 1003, 0640);
        }
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo("1000:1001 rwxr-x---");
        assertThat(ownerAndMode(dir.resolve("made/file"))).isEqualTo("1002:1003 rw-r-----");
        assertThat(dir.resolve("made/file")).isEmptyFile();
        assertThat(names()).containsExactly("made");
    }

    @Test
    void anExistingDirectoryIsAcceptedAsItIs() throws Exception {
        Files.createDirectory(dir.resolve("made"));
        Files.writeString(dir.resolve("made/data"), "kept");
        String before = ownerAndMode(dir.resolve("made"));
        try (Fs fs = Fs.open(sys, dir.toString())) {
            fs.makeDirectory(NAME, 1000, 1000, 0700);
        }
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo(before);
        assertThat(dir.resolve("made/data")).hasContent("kept");
        assertThat(names()).containsExactly("made");
    }

    @Test
    void anExistingFileIsAcceptedAsItIs() throws Exception {
        Files.writeString(dir.resolve("made"), "kept");
        String before = ownerAndMode(dir.resolve("made"));
        try (Fs fs = Fs.open(sys, dir.toString())) {
            fs.makeEmptyFile(NAME, 1000, 1000, 0600);
        }
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo(before);
        assertThat(dir.resolve("made")).hasContent("kept");
        assertThat(names()).containsExactly("made");
    }

    @Test
    void aFileWhereADirectoryIsAskedForIsRefusedAndKept() throws Exception {
        Files.writeString(dir.resolve("made"), "kept");
        try (Fs fs = Fs.open(sys, dir.toString())) {
            assertThatThrownBy(() -> fs.makeDirectory(NAME, 0, 0, 0755))
                    .isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining(dir.resolve("made") + " is a file where lethe needs a directory");
        }
        assertThat(dir.resolve("made")).hasContent("kept");
        assertThat(names()).containsExactly("made");
    }

    @Test
    void aDirectoryWhereAFileIsAskedForIsRefusedAndKept() throws Exception {
        Files.createDirectory(dir.resolve("made"));
        Files.writeString(dir.resolve("made/data"), "kept");
        try (Fs fs = Fs.open(sys, dir.toString())) {
            assertThatThrownBy(() -> fs.makeEmptyFile(NAME, 0, 0, 0644))
                    .isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining(dir.resolve("made") + " is a directory where lethe needs a file");
        }
        assertThat(dir.resolve("made/data")).hasContent("kept");
        assertThat(names()).containsExactly("made");
    }

    /**
     * A name already there is answered as a look first would have, whatever else fails on the way:
     * here a temporary name taken by someone's data, which lethe refuses to remove.
     */
    @Test
    void anExistingNameIsAnsweredAsBeforeEvenWhenTheTemporaryNameIsTaken() throws Exception {
        Path taken = dir.resolve(".lethe-new.made");
        Files.createDirectory(taken);
        Files.writeString(taken.resolve("data"), "someone's");
        Files.createDirectory(dir.resolve("made"));
        try (Fs fs = Fs.open(sys, dir.toString())) {
            fs.makeDirectory(NAME, 1000, 1000, 0700);
            assertThatThrownBy(() -> fs.makeEmptyFile(NAME, 0, 0, 0644))
                    .isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining(dir.resolve("made") + " is a directory where lethe needs a file");
        }
        assertThat(taken.resolve("data")).hasContent("someone's");
        assertThat(names()).containsExactlyInAnyOrder("made", ".lethe-new.made");
    }

    @Test
    void aTemporaryNameTakenByDataIsRefusedWhenTheNameIsFree() throws Exception {
        Path taken = dir.resolve(".lethe-new.made");
        Files.createDirectory(taken);
        Files.writeString(taken.resolve("data"), "someone's");
        try (Fs fs = Fs.open(sys, dir.toString())) {
            // A user's directory: made through the temporary, whose name is taken.
            assertThatThrownBy(() -> fs.makeDirectory(NAME, 1000, 1000, 0755))
                    .isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining("an unexpected directory named .lethe-new.made");
        }
        assertThat(taken.resolve("data")).hasContent("someone's");
        assertThat(names()).containsExactly(".lethe-new.made");
    }

    /** The names mkdirat was asked to make, through {@code sys}. */
    private static Syscalls recording(Syscalls real, List<String> made) {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("mkdirat")) {
                        made.add(new String((byte[]) args[1], StandardCharsets.UTF_8));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private List<String> makeRootDirectory(int mode) throws Exception {
        List<String> made = new ArrayList<>();
        try (Fs fs = Fs.open(recording(sys, made), dir.toString())) {
            fs.makeDirectory(NAME, 0, 0, mode);
        }
        return made;
    }

    /** A root-owned directory in a parent only root can write is made at its name, finished at once. */
    @Test
    void aRootDirectoryInARootOnlyParentIsMadeAtItsNameInOneStep() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(makeRootDirectory(0750)).containsExactly("made");
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo("0:0 rwxr-x---");
        assertThat(names()).containsExactly("made");
    }

    /** A stale temporary holding data is not lethe's to touch, and a direct creation does not need its name. */
    @Test
    void aTemporaryNameTakenByDataIsLeftAsItIsByADirectCreation() throws Exception {
        Path taken = dir.resolve(".lethe-new.made");
        Files.createDirectory(taken);
        Files.writeString(taken.resolve("data"), "someone's");
        assertThat(makeRootDirectory(0755)).containsExactly("made");
        assertThat(taken.resolve("data")).hasContent("someone's");
        assertThat(names()).containsExactlyInAnyOrder("made", ".lethe-new.made");
    }

    @Test
    void aModeTheUmaskWouldNarrowIsMadeThroughATemporary() throws Exception {
        int umask = Creator.ofThisProcess().umask();
        assumeTrue(umask > 0, "the process's umask takes no bits away");
        assertThat(makeRootDirectory(0777)).containsExactly(".lethe-new.made");
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo("0:0 rwxrwxrwx");
        assertThat(names()).containsExactly("made");
    }

    /** A setgid parent gives a new directory its group and bit; one others can write could swap it. */
    @Test
    void aParentThatIsSetgidOrWritableByOthersMakesThroughATemporary() throws Exception {
        for (String parentMode : new String[] {"2755", "0775", "1777"}) {
            Path parent = dir.resolve("p" + parentMode);
            Files.createDirectory(parent);
            new ProcessBuilder("chmod", parentMode, parent.toString()).inheritIO().start().waitFor();
            List<String> made = new ArrayList<>();
            try (Fs fs = Fs.open(recording(sys, made), dir.toString())) {
                fs.makeDirectory(AbsolutePath.of("/p" + parentMode + "/made"), 0, 0, 0750);
            }
            assertThat(made).as(parentMode).containsExactly(".lethe-new.made");
            assertThat(ownerAndMode(parent.resolve("made"))).as(parentMode).isEqualTo("0:0 rwxr-x---");
            assertThat(parent.toFile().list()).as(parentMode).containsExactly("made");
        }
    }

    /**
     * A default ACL on the parent narrows a new directory's mode whatever mkdir asks: the directory
     * made at its name is found not as asked, removed while still empty, and made through a temporary.
     */
    @Test
    void aDirectoryMadeOtherwiseThanAskedIsRemovedAndMadeThroughATemporary() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process acl = new ProcessBuilder("setfacl", "-d", "-m", "u::rwx,g::---,o::---", dir.toString()).inheritIO().start();
        assertThat(acl.waitFor()).as("setfacl").isZero();
        assertThat(makeRootDirectory(0755)).containsExactly("made", ".lethe-new.made");
        assertThat(ownerAndMode(dir.resolve("made"))).isEqualTo("0:0 rwxr-xr-x");
        assertThat(names()).containsExactly("made");
    }
}
