package dev.lethe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The children the crash sweeps start take lethe's classes from the AOT cache, not from class files. */
class ChildJvmTest {

    @Test
    void aChildLoadsLethesClassesFromTheCache() throws Exception {
        List<String> command = ChildJvm.command("dev.lethe.cli.Main", "-Xlog:class+load=info");
        command.add("--version");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).as("lethe's entry point comes from the cache")
                .containsPattern("dev\\.lethe\\.cli\\.Main source: shared objects file");
        assertThat(command).anyMatch(arg -> arg.startsWith("-XX:AOTCache="));
    }
}
