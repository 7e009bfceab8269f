package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Syscalls;
import dev.lethe.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system calls go through lethe's native function when its library is there (pom.xml names the
 * one Maven's compile phase built, so the whole suite runs on it, as lethe does from its runtime),
 * and through the FFM downcall when it is not; both give the kernel's answers, errno included.
 */
class JniSyscallTest {

    @TempDir
    Path dir;

    @Test
    void theSuitesSystemCallsGoThroughTheBuildsNativeFunction() {
        Path library = Path.of(System.getProperty(JniSyscall.PROPERTY));
        assertThat(library).as("made by Maven's compile phase (scripts/native, which needs gcc)").isRegularFile();
        assertThat(FfmSyscalls.mechanism()).isEqualTo("jni (" + library + ")");
    }

    @Test
    void throughTheNativeFunctionResultsAndErrnosAreTheKernels() throws Exception {
        assertThat(answers(dir)).containsExactlyElementsOf(expected(dir));
    }

    @Test
    void withoutTheLibraryTheDowncallGivesTheSameAnswers() throws Exception {
        assertThroughTheDowncall(dir.resolve("no-such-library.so"), dir);
    }

    /** A fresh JVM given {@code library} calls through the downcall and gets every answer right, in {@code work}. */
    private static void assertThroughTheDowncall(Path library, Path work) throws Exception {
        List<String> command = ChildJvm.uncachedCommand(JniSyscallTest.class.getName(), "-D" + JniSyscall.PROPERTY + "=" + library);
        command.add(work.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        List<String> want = new ArrayList<>(List.of("ffm"));
        want.addAll(expected(work));
        assertThat(out.lines().toList()).containsExactlyElementsOf(want);
    }

    /**
     * A library built before lethe's second native function (the buffers' address) existed, as an
     * older install's runtime holds: JNI binds a function at its first call, so the library must be
     * refused when it loads, and the downcall serve, with the same answers.
     */
    @Test
    void aLibraryWithoutTheAddressFunctionIsRefusedAndTheDowncallServes() throws Exception {
        Path source = dir.resolve("old.c");
        Files.writeString(source, """
                #include <errno.h>
                #include <jni.h>
                #include <unistd.h>
                JNIEXPORT jlong JNICALL Java_dev_lethe_linux_ffm_JniSyscall_syscall(JNIEnv *env, jclass cls, jlong number,
                        jlong a, jlong b, jlong c, jlong d, jlong e, jlong f) {
                    long result = syscall((long) number, (long) a, (long) b, (long) c, (long) d, (long) e, (long) f);
                    return result == -1 ? -(jlong) errno : (jlong) result;
                }
                """);
        Path old = dir.resolve("libold.so");
        Path include = Path.of(System.getProperty("java.home"), "include");
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-I" + include, "-I" + include.resolve("linux"),
                "-o", old.toString(), source.toString()).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(ccOut).isZero();
        assertThroughTheDowncall(old, Files.createDirectory(dir.resolve("work")));
    }

    /** The child JVM's program: how it calls, then the answers, a line each. */
    public static void main(String[] args) throws Exception {
        System.out.println(FfmSyscalls.mechanism());
        answers(Path.of(args[0])).forEach(System.out::println);
    }

    /**
     * Every call that passes memory to the kernel, each answer read back through another call: C
     * strings (one and two per call, and one longer than the thread's first memory, which must grow
     * for it), structures (open_how, the timestamps), data read, written (more than the write chunk)
     * and listed; and failures with three different errnos.
     */
    private static List<String> answers(Path dir) throws Exception {
        Syscalls sys = new FfmSyscalls();
        Path file = dir.resolve("file");
        Files.writeString(file, "twelve bytes");
        List<String> answers = new ArrayList<>();
        int fd = sys.openat2(Flags.AT_FDCWD, bytes(file), Flags.O_RDWR | Flags.O_CLOEXEC, 0, Flags.RESOLVE_NO_SYMLINKS);
        answers.add("open: " + (fd >= 0 ? "a descriptor" : fd));
        answers.add("statx: size " + sys.statx(fd, new byte[0], Flags.AT_EMPTY_PATH).size());
        byte[] read = new byte[100_000];
        int n = sys.pread(fd, read, 3, 99_000, 7);
        answers.add("pread: " + n + " " + new String(read, 3, n, StandardCharsets.UTF_8));
        byte[] large = new byte[(3 << 20) + 5];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + i / 7);
        }
        sys.pwriteFully(fd, large, large.length, 1);
        answers.add("pwrite: " + java.util.Arrays.equals(Files.readAllBytes(file), 1, large.length + 1, large, 0, large.length));
        byte[] available = new byte[4];
        sys.lseek(fd, 100, Flags.SEEK_SET);
        sys.ioctl(fd, FIONREAD, available, 4);
        answers.add("ioctl: " + FfmSyscalls.intAt(available, 0));
        sys.ftruncate(fd, 5);
        sys.fsync(fd);
        sys.flock(fd, Flags.LOCK_EX);
        sys.fchmod(fd, 0640);
        sys.fsetxattr(fd, bytes("user.lethe"), bytes("a value"));
        answers.add("xattrs: " + sys.flistxattr(fd).stream().map(JniSyscallTest::text).filter(x -> x.startsWith("user.")).toList()
                + " " + text(sys.fgetxattr(fd, bytes("user.lethe"))));
        sys.close(fd);
        answers.add("after truncate and fchmod: " + Files.size(file) + " " + Integer.toOctalString(sys.statx(Flags.AT_FDCWD, bytes(file), 0).permissions()));

        int dirFd = sys.openat(Flags.AT_FDCWD, bytes(dir), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        sys.mkdirat(dirFd, bytes("made"), 0750);
        sys.mknodat(dirFd, bytes("fifo"), 0010600, 0);
        sys.symlinkat(bytes("file"), dirFd, bytes("link"));
        answers.add("readlink: " + text(sys.readlinkat(dirFd, bytes("link"))));
        sys.linkat(dirFd, bytes("file"), dirFd, bytes("hard"), 0);
        sys.renameat2(dirFd, bytes("hard"), dirFd, bytes("renamed"), Flags.RENAME_NOREPLACE);
        sys.fchmodat(dirFd, bytes("made"), 0750, Flags.AT_SYMLINK_NOFOLLOW);
        int chmod2 = sys.statx(dirFd, bytes("made"), 0).permissions();
        sys.fchmodat(dirFd, bytes("made"), 0700, 0);
        answers.add("fchmodat2 then fchmodat: " + Integer.toOctalString(chmod2) + " "
                + Integer.toOctalString(sys.statx(dirFd, bytes("made"), 0).permissions()));
        sys.fchownat(dirFd, bytes("made"), 123, 456, Flags.AT_SYMLINK_NOFOLLOW);
        sys.utimensat(dirFd, bytes("made"), 1_000_000_000L, 5, 1_700_000_000L, 123_456_789, Flags.AT_SYMLINK_NOFOLLOW);
        var made = sys.statx(dirFd, bytes("made"), 0);
        answers.add("made: " + Integer.toOctalString(made.permissions()) + " " + made.uid() + ":" + made.gid()
                + " atime " + made.atimeSec() + "." + made.atimeNsec() + " mtime " + made.mtimeSec() + "." + made.mtimeNsec());
        answers.add("renamed: nlink " + sys.statx(dirFd, bytes("renamed"), 0).nlink());
        int renamedFd = sys.openat(dirFd, bytes("renamed"), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
        sys.utimensat(renamedFd, new byte[0], 5, 6, 7, 8, 0);
        var own = sys.statx(renamedFd, new byte[0], Flags.AT_EMPTY_PATH);
        sys.utimensat(renamedFd, new byte[0], 9, 10, 11, 12, Flags.AT_EMPTY_PATH);
        var empty = sys.statx(renamedFd, new byte[0], Flags.AT_EMPTY_PATH);
        sys.close(renamedFd);
        answers.add("utimensat on the descriptor: " + own.atimeSec() + "." + own.atimeNsec() + " " + own.mtimeSec() + "." + own.mtimeNsec()
                + ", with AT_EMPTY_PATH: " + empty.atimeSec() + "." + empty.atimeNsec() + " " + empty.mtimeSec() + "." + empty.mtimeNsec());
        answers.add("listing: " + sys.listDirectory(dirFd).stream().map(e -> text(e.name()) + "/" + e.type()).sorted().toList());
        int madeFd = sys.openat(dirFd, bytes("made"), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        answers.add("has entries: " + sys.hasEntries(dirFd) + " " + sys.hasEntriesJustOpened(madeFd));
        sys.close(madeFd);
        sys.unlinkat(dirFd, bytes("made"), Flags.AT_REMOVEDIR);
        sys.unlinkat(dirFd, bytes("fifo"), 0);
        answers.add("after unlink: " + sys.listDirectory(dirFd).stream().map(e -> text(e.name())).sorted().toList());
        sys.close(dirFd);

        // A listing longer than one getdents64 batch (32 KiB): 1 500 names of 60 bytes.
        int manyFd = sys.openat(Flags.AT_FDCWD, bytes(dir), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        sys.mkdirat(manyFd, bytes("many"), 0755);
        int many = sys.openat(manyFd, bytes("many"), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        for (int i = 0; i < 1500; i++) {
            sys.close(sys.openat(many, bytes(String.format("%060d", i)), Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_CLOEXEC, 0600));
        }
        List<String> names = sys.listDirectory(many).stream().map(e -> text(e.name())).sorted().toList();
        answers.add("a long listing: " + names.size() + " names, " + names.getFirst() + " to " + names.getLast());
        sys.close(many);
        sys.close(manyFd);

        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(dir.resolve("missing")), Flags.O_RDONLY | Flags.O_CLOEXEC, 0, 0)));
        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(file), Flags.O_CREAT | Flags.O_EXCL | Flags.O_CLOEXEC, 0600, 0)));
        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(file.resolve("below")), Flags.O_RDONLY | Flags.O_CLOEXEC, 0, 0)));
        answers.add(failure(() -> sys.openat(Flags.AT_FDCWD, bytes("x".repeat(100_000)), Flags.O_RDONLY | Flags.O_CLOEXEC, 0)));
        return answers;
    }

    private static List<String> expected(Path dir) {
        return List.of("open: a descriptor", "statx: size 12", "pread: 5 bytes",
                "pwrite: true", "ioctl: " + ((3 << 20) + 6 - 100), "xattrs: [user.lethe] a value", "after truncate and fchmod: 5 640",
                "readlink: file",
                "fchmodat2 then fchmodat: 750 700",
                "made: 700 123:456 atime 1000000000.5 mtime 1700000000.123456789",
                "renamed: nlink 2",
                "utimensat on the descriptor: 5.6 7.8, with AT_EMPTY_PATH: 9.10 11.12",
                "listing: [fifo/1, file/8, link/10, made/4, renamed/8]",
                "has entries: true false",
                "after unlink: [file, link, renamed]",
                "a long listing: 1500 names, " + String.format("%060d", 0) + " to " + String.format("%060d", 1499),
                "errno " + Errno.ENOENT + " (" + dir.resolve("missing") + ")",
                "errno " + Errno.EEXIST + " (" + dir.resolve("file") + ")",
                "errno " + Errno.ENOTDIR + " (" + dir.resolve("file/below") + ")",
                "errno " + Errno.ENAMETOOLONG + " (" + "x".repeat(100_000) + ")");
    }

    /** {@code ioctl(fd, FIONREAD, int *)}: the bytes left to read from a file's offset (asm-generic/ioctls.h). */
    private static final long FIONREAD = 0x541B;

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private interface Call {
        int run() throws ErrnoException;
    }

    private static String failure(Call call) {
        try {
            return "succeeded: " + call.run();
        } catch (ErrnoException e) {
            return "errno " + e.errno() + " (" + e.path() + ")";
        }
    }

    private static byte[] bytes(Path path) {
        return bytes(path.toString());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
