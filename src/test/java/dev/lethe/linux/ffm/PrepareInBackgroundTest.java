package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FfmSyscalls#prepareInBackground()} builds the downcall handle on its own thread, not on
 * the caller's, and only when the calls cannot go through lethe's native function: in a fresh JVM
 * (this test's JVM prepared long ago), the JVM's class initialisation log names the thread that ran
 * the linker, if any did.
 */
class PrepareInBackgroundTest {

    @TempDir
    Path dir;

    /**
     * The fresh JVM's program: prepare, then wait for the preparing thread, and touch nothing else;
     * or, given a directory, also make calls that pass memory to the kernel in it.
     */
    public static void main(String[] args) throws Exception {
        FfmSyscalls.prepareInBackground();
        if (args.length == 1) {
            callsIn(Path.of(args[0]));
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("lethe-ffm-init")) {
                thread.join();
            }
        }
    }

    /** Without lethe's native library (a JDK's java.home has none), the downcall serves. */
    @Test
    void theLinkerRunsOnThePreparingThreadNotOnTheCallers() throws Exception {
        List<String> linker = linkerLines(initialisations());
        assertThat(linker).hasSize(2).allSatisfy(line -> assertThat(line).endsWith("by thread \"lethe-ffm-init\""));
    }

    /** With it, there is no linker to prepare: no downcall handle is built, no thread started. */
    @Test
    void withTheNativeLibraryNoLinkerRunsAtAll() throws Exception {
        String library = System.getProperty(JniSyscall.PROPERTY);
        List<String> log = initialisations("-D" + JniSyscall.PROPERTY + "=" + library);
        assertThat(log).anyMatch(line -> line.contains("Initializing 'dev/lethe/linux/ffm/JniSyscall'"));
        assertThat(linkerLines(log)).isEmpty();
        assertThat(log).noneMatch(line -> line.contains("lethe-ffm-init"));
    }

    /**
     * Nor does the memory the calls point at start the FFM implementation (its layouts, var handles
     * and method handles cost ~15 ms at every start): no class of java.lang.foreign's is initialised.
     */
    @Test
    void withTheNativeLibraryTheCallsStartNoForeignMemoryClass() throws Exception {
        String library = System.getProperty(JniSyscall.PROPERTY);
        Files.writeString(dir.resolve("file"), "data");
        List<String> log = initialisations(List.of("-D" + JniSyscall.PROPERTY + "=" + library), List.of(dir.toString()));
        assertThat(log).anyMatch(line -> line.contains("Initializing 'dev/lethe/linux/ffm/FfmSyscalls$Scratch'"));
        assertThat(log).noneMatch(line -> line.contains("/foreign/"));
    }

    /** Calls with a path, a structure, data read and a directory listed. */
    private static void callsIn(Path dir) throws Exception {
        dev.lethe.linux.Syscalls sys = new FfmSyscalls();
        byte[] path = dir.resolve("file").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int fd = sys.openat2(dev.lethe.linux.Flags.AT_FDCWD, path, dev.lethe.linux.Flags.O_RDONLY, 0, 0);
        if (sys.statx(fd, new byte[0], dev.lethe.linux.Flags.AT_EMPTY_PATH).size() != 4 || sys.pread(fd, new byte[8], 8, 0) != 4) {
            throw new AssertionError("the calls' answers");
        }
        sys.close(fd);
        int dirFd = sys.openat(dev.lethe.linux.Flags.AT_FDCWD, dir.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                dev.lethe.linux.Flags.O_RDONLY | dev.lethe.linux.Flags.O_DIRECTORY, 0);
        if (sys.listDirectory(dirFd).isEmpty()) {
            throw new AssertionError("the listing");
        }
        sys.close(dirFd);
    }

    /** The class initialisation log of a fresh JVM running {@link #main} without arguments. */
    private List<String> initialisations(String... flags) throws Exception {
        return initialisations(List.of(flags), List.of());
    }

    /** The class initialisation log of a fresh JVM with {@code flags} running {@link #main} with {@code arguments}. */
    private List<String> initialisations(List<String> flags, List<String> arguments) throws Exception {
        Path log = dir.resolve("init.log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+init=info:file=" + log));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PrepareInBackgroundTest.class.getName()));
        command.addAll(arguments);
        Process java = new ProcessBuilder(command).inheritIO().start();
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).isZero();
        return Files.readAllLines(log);
    }

    private static List<String> linkerLines(List<String> log) {
        return log.stream()
                .filter(line -> line.contains("Initializing 'dev/lethe/linux/ffm/FfmSyscalls$Downcall'")
                        || line.contains("Initializing 'jdk/internal/foreign/abi/DowncallLinker'"))
                .toList();
    }
}
