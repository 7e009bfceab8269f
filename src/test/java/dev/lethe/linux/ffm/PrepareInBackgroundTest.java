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
 * the caller's: in a fresh JVM (this test's JVM built the handle long ago), the JVM's class
 * initialisation log names the thread that ran the linker.
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

    @Test
    void theLinkerRunsOnThePreparingThreadNotOnTheCallers() throws Exception {
        Path log = dir.resolve("init.log");
        Process java = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+init=info:file=" + log,
                "-cp", System.getProperty("java.class.path"),
                PrepareInBackgroundTest.class.getName())
                .inheritIO().start();
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).isZero();

        List<String> linker = Files.readAllLines(log).stream()
                .filter(line -> line.contains("Initializing 'dev/lethe/linux/ffm/FfmSyscalls$Downcall'")
                        || line.contains("Initializing 'jdk/internal/foreign/abi/DowncallLinker'"))
                .toList();
        assertThat(linker).hasSize(2).allSatisfy(line -> assertThat(line).endsWith("by thread \"lethe-ffm-init\""));
    }
}
