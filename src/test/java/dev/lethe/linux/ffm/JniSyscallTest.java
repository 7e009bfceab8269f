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
        Path missing = dir.resolve("no-such-library.so");
        List<String> command = ChildJvm.uncachedCommand(JniSyscallTest.class.getName(), "-D" + JniSyscall.PROPERTY + "=" + missing);
        command.add(dir.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        List<String> want = new ArrayList<>(List.of("ffm"));
        want.addAll(expected(dir));
        assertThat(out.lines().toList()).containsExactlyElementsOf(want);
    }

    /** The child JVM's program: how it calls, then the answers, a line each. */
    public static void main(String[] args) throws Exception {
        System.out.println(FfmSyscalls.mechanism());
        answers(Path.of(args[0])).forEach(System.out::println);
    }

    /** A success that returns a value, and failures with three different errnos. */
    private static List<String> answers(Path dir) throws Exception {
        Syscalls sys = new FfmSyscalls();
        Path file = dir.resolve("file");
        Files.writeString(file, "twelve bytes");
        List<String> answers = new ArrayList<>();
        int fd = sys.openat2(Flags.AT_FDCWD, bytes(file), Flags.O_RDONLY | Flags.O_CLOEXEC, 0, 0);
        answers.add("open: " + (fd >= 0 ? "a descriptor" : fd));
        answers.add("statx: size " + sys.statx(fd, new byte[0], Flags.AT_EMPTY_PATH).size());
        sys.close(fd);
        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(dir.resolve("missing")), Flags.O_RDONLY | Flags.O_CLOEXEC, 0, 0)));
        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(file), Flags.O_CREAT | Flags.O_EXCL | Flags.O_CLOEXEC, 0600, 0)));
        answers.add(failure(() -> sys.openat2(Flags.AT_FDCWD, bytes(file.resolve("below")), Flags.O_RDONLY | Flags.O_CLOEXEC, 0, 0)));
        return answers;
    }

    private static List<String> expected(Path dir) {
        return List.of("open: a descriptor", "statx: size 12",
                "errno " + Errno.ENOENT + " (" + dir.resolve("missing") + ")",
                "errno " + Errno.EEXIST + " (" + dir.resolve("file") + ")",
                "errno " + Errno.ENOTDIR + " (" + dir.resolve("file/below") + ")");
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
        return path.toString().getBytes(StandardCharsets.UTF_8);
    }
}
