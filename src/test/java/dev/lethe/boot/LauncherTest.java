package dev.lethe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /usr/sbin/lethe, run by sh with its exec turned into an echo: which AOT cache each command starts
 * from, and whether the heap asks for transparent huge pages.
 */
class LauncherTest {

    @TempDir
    Path scratch;
    /** The launcher's home: {@link Installation#HOME}, moved here. */
    private Path home;
    private String bootCache;
    private String fullCache;
    /** The kernel's huge page mode as the launcher reads it: {@link Installation#HUGE_PAGE_MODE}, moved here. */
    private Path hugePageMode;

    @BeforeEach
    void buildInstalled() throws IOException {
        home = Files.createDirectories(scratch.resolve("usr/lib/lethe"));
        Files.writeString(home.resolve("lethe.aot"), "the cache\n");
        Files.writeString(home.resolve("lethe-boot.aot"), "the boot's cache\n");
        bootCache = "-XX:AOTCache=" + home + "/lethe-boot.aot";
        fullCache = "-XX:AOTCache=" + home + "/lethe.aot";
        hugePageMode = scratch.resolve("enabled");
    }

    @Test
    void theHeapAsksForHugePagesOnlyWhereTheKernelGivesThemOnRequest() throws Exception {
        String flag = "-XX:+UseTransparentHugePages";
        Files.writeString(hugePageMode, "always [madvise] never\n");
        assertThat(words(launch("apply", "--boot", "system"))).contains(flag);
        assertThat(words(launch("status"))).contains(flag);
        Files.writeString(hugePageMode, "[always] madvise never\n");
        assertThat(words(launch("status"))).contains(flag);
        // Under "never" the JVM refuses the flag with a warning on stdout, which --json output would carry.
        Files.writeString(hugePageMode, "always madvise [never]\n");
        assertThat(words(launch("apply", "--boot", "system"))).doesNotContain(flag);
        Files.writeString(hugePageMode, "");
        assertThat(words(launch("status"))).doesNotContain(flag);
        Files.delete(hugePageMode);  // a kernel without transparent huge pages
        assertThat(words(launch("status"))).doesNotContain(flag).contains(fullCache);
    }

    @Test
    void theBootAndCaptureUnitsStartFromTheBootsOwnCache() throws Exception {
        // the units' command lines (Units.activate, Units.capture), with and without '='
        assertThat(launch("apply", "--boot", "system", "--cache-in", "/persist")).contains(bootCache).doesNotContain(fullCache);
        assertThat(launch("apply", "--cache-in", "/persist")).contains(bootCache);
        assertThat(launch("apply", "--boot=system")).contains(bootCache);
        assertThat(launch("apply", "--cache-in=/persist")).contains(bootCache);
    }

    @Test
    void everyOtherCommandStartsFromTheFullCache() throws Exception {
        for (List<String> command : List.of(List.of("apply"), List.of("apply", "--dry-run"), List.of("plan"),
                List.of("archive", "prune"), List.of("status", "apply --boot"), List.of("--version"), List.<String>of())) {
            assertThat(launch(command.toArray(String[]::new))).as("lethe %s", command).contains(fullCache).doesNotContain(bootCache);
        }
    }

    @Test
    void withoutTheBootsCacheTheBootStartsFromTheFullOne() throws Exception {
        Files.delete(home.resolve("lethe-boot.aot"));
        assertThat(launch("apply", "--boot", "system", "--cache-in", "/persist")).contains(fullCache);
    }

    @Test
    void theArgumentsReachLetheUnchanged() throws Exception {
        assertThat(launch("apply", "--cache-in", "/a store", "--root", "/"))
                .endsWith("dev.lethe.cli.Main apply --cache-in /a store --root /");
    }

    /**
     * The AOT caches are trained with scripts/jvm.flags and refused by a JVM started with other
     * flags: the installed launcher must start the JVM with every one of them.
     */
    @Test
    void theInstalledLauncherStartsTheJvmWithTheFlagsTheCachesAreTrainedWith() throws Exception {
        List<String> trained = words(Files.readString(Path.of("scripts/jvm.flags")).strip());
        assertThat(trained).isNotEmpty();
        assertThat(words(launch("status"))).containsAll(trained);
        assertThat(words(launch("apply", "--boot", "system"))).containsAll(trained);
    }

    /** scripts/jvm-flags, what ./lethe and the benches start the JVM with, decides huge pages as the installed launcher does. */
    @Test
    void theCheckoutsFlagsAskForHugePagesWhereTheInstalledLauncherDoes() throws Exception {
        Path scripts = Files.createDirectories(scratch.resolve("scripts"));
        Files.copy(Path.of("scripts/jvm.flags"), scripts.resolve("jvm.flags"));
        String script = Files.readString(Path.of("scripts/jvm-flags"));
        assertThat(script).contains(Installation.HUGE_PAGE_MODE);
        Path flags = Files.writeString(scripts.resolve("jvm-flags"), script.replace(Installation.HUGE_PAGE_MODE, hugePageMode.toString()));
        String flag = "-XX:+UseTransparentHugePages";
        for (String mode : List.of("always [madvise] never\n", "[always] madvise never\n", "always madvise [never]\n", "",
                "always [madvise] never")) {  // the last without its newline: read fails, but has read it
            Files.writeString(hugePageMode, mode);
            assertThat(words(run("bash", flags.toString())).contains(flag)).as("mode %s", mode.strip())
                    .isEqualTo(words(launch("status")).contains(flag));
        }
        Files.delete(hugePageMode);
        assertThat(words(run("bash", flags.toString()))).doesNotContain(flag)
                .containsAll(words(Files.readString(scripts.resolve("jvm.flags")).strip()));
    }

    private static List<String> words(String command) {
        return List.of(command.split(" "));
    }

    /** What the launcher would exec, one argument per word. */
    private String launch(String... args) throws IOException, InterruptedException {
        String launcher = Installation.launcher();
        String exec = "exec " + Installation.HOME + "/runtime/bin/java";
        assertThat(launcher).contains(exec);
        Path probe = Files.writeString(scratch.resolve("lethe"),
                launcher.replace(exec, "echo").replace(Installation.HOME + "/", home + "/")
                        .replace(Installation.HUGE_PAGE_MODE, hugePageMode.toString()));
        List<String> command = new ArrayList<>(List.of("sh", probe.toString()));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }
}
