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

    /** The fresh JVM's program: prepare, then wait for the preparing thread, and touch nothing else. */
    public static void main(String[] args) throws InterruptedException {
        FfmSyscalls.prepareInBackground();
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

    /** The class initialisation log of a fresh JVM running {@link #main}. */
    private List<String> initialisations(String... flags) throws Exception {
        Path log = dir.resolve("init.log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+init=info:file=" + log));
        command.addAll(List.of(flags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PrepareInBackgroundTest.class.getName()));
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
