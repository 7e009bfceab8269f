package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.ChildRun;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Trees;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * apply migrating a directory across filesystems (root and store on separate tmpfs): each action's
 * line when it happens, the copy's progress on stderr, a bar on a terminal (a real pty).
 */
class ApplyProgressTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = ["/var/lib/app", "/var/log"]
            """;

    @Test
    void eachLineAppearsWhenItsWorkHappens() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/lib/app"), 400, 5);
            long entries;
            try (var walk = Files.walk(m.at("/var/lib/app"))) {
                entries = walk.count();
            }
            // One writer for both streams: the order of the lines is the order of the work.
            StringWriter both = new StringWriter();
            PrintWriter shared = new PrintWriter(both, true);
            int exit = Main.run(shared, shared, "apply", "--root", m.root.toString(), "--config", m.config.toString());
            String text = both.toString();
            assertThat(exit).as(text).isZero();
            String app = m.root + "/var/lib/app";
            List<String> inOrder = List.of(
                    "done     mkdir    /persist/var ",
                    "lethe: copying " + app + ": done, ",
                    "lethe: verifying " + m.root + "/persist/var/lib/app: done, ",
                    "done     migrate  /var/lib/app ",
                    "done     bind     /persist/var/lib/app on /var/lib/app",
                    "done     mkdir    /persist/var/log ",
                    "lethe: 2 entries: ");
            int previous = -1;
            for (String line : inOrder) {
                int at = text.indexOf(line);
                assertThat(at).as("'%s' after the line before it in:%n%s", line, text).isGreaterThan(previous);
                previous = at;
            }
            assertThat(text).as("/var/log is made, not migrated: no copy").doesNotContain("copying " + m.root + "/var/log");
            // The copy's figures count every entry of the tree, directories and the top included.
            assertThat(text).containsPattern("copying " + app + ": done, [0-9.]+ (KiB|MiB), " + entries + " files in [0-9.]+ s");
        }
    }

    @Test
    void progressGoesToStderrAndResultsToStdout() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/lib/app"), 50, 6);
            Machine.Run run = m.lethe("apply");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(run.err()).containsPattern("(?m)^lethe: copying .*/var/lib/app: done, .* files in [0-9.]+ s")
                    .containsPattern("(?m)^lethe: verifying .*/var/lib/app: done, ");
            assertThat(run.err()).as("plain lines, not a bar, when stderr is no terminal").doesNotContain("\r");
            assertThat(run.out()).contains("migrate").doesNotContain("copying").doesNotContain("verifying");
        }
    }

    @Test
    void jsonOutputHasNoProgress() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/lib/app"), 50, 9);
            Machine.Run run = m.lethe("apply", "--json");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(run.out()).contains("\"migrate\"");
            assertThat(Files.exists(m.disk.resolve("var/lib/app/d0"))).as("migrated by a verified copy").isTrue();
            assertThat(run.err()).doesNotContain("copying").doesNotContain("verifying");
            assertThat(run.out()).doesNotContain("copying").doesNotContain("verifying");
        }
    }

    /** The built lethe in a pseudo-terminal (script(1)), its stdout sent to a file as in {@code lethe apply > log}. */
    @Test
    void aTerminalShowsTheBarAndTheLogOnlyTheResults() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Path app = m.at("/var/lib/app");
            Files.createDirectories(app);
            byte[] chunk = new byte[1 << 20];
            new java.util.Random(7).nextBytes(chunk);
            for (int i = 0; i < 48; i++) {
                Files.write(app.resolve("part-" + i), chunk);
            }
            Path log = m.scratch.resolve("apply.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String command = String.join(" ", java, "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                    "-cp", "'" + System.getProperty("java.class.path") + "'", "dev.lethe.cli.Main", "apply",
                    "--root", m.root.toString(), "--config", m.config.toString(), ">", log.toString());
            ProcessBuilder builder = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true);
            builder.environment().put("TERM", "xterm");
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String terminal = new String(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(terminal).isZero();

            assertThat(terminal).as("the bar's final state: bytes, files, rate")
                    .containsPattern("\r\033\\[K\\S*/root/var/lib/app  done, 48\\.0 MiB, 49 files in [0-9.]+ s, "
                            + "[0-9.]+ (MiB|GiB)/s\r?\n")
                    .containsPattern("\r\033\\[K\\S*/root/persist/var/lib/app  done, 48\\.0 MiB, 49 files in ");
            assertThat(terminal).as("the results went to the log; the terminal ends on a whole line")
                    .doesNotContain("migrate").endsWith("\n");
            assertThat(terminal.substring(terminal.lastIndexOf("\033[K") + 3)).as("nothing drawn after the last phase ended")
                    .contains("/persist/var/lib/app  done").doesNotContain("\033").endsWith("/s\r\n");
            String results = Files.readString(log);
            assertThat(results).contains("done     migrate  /var/lib/app").containsPattern("lethe: 2 entries: .* changes, 0 failed")
                    .doesNotContain("copying").doesNotContain("\r");
            assertThat(Map.of("the copy", Files.size(m.disk.resolve("var/lib/app/part-47")))).containsValue((long) (1 << 20));
        }
    }

    /**
     * The boot path migrating a directory, in a JVM of its own: no library beyond lethe's own classes
     * is loaded for the progress, and a short copy adds nothing to the journal's one line.
     */
    @Test
    void atBootAShortMigrationLoadsNoLibraryAndStaysQuiet() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Trees.generate(m.at("/var/lib/app"), 100, 8);
            ChildRun boot = ChildRun.of(m, "apply", "--boot", "system");
            assertThat(boot.exit()).as(boot.err()).isZero();
            assertThat(Files.exists(m.disk.resolve("var/lib/app/d0"))).as("migrated").isTrue();
            assertThat(boot.out().strip().lines()).hasSize(1);
            assertThat(boot.err()).doesNotContain("copying").doesNotContain("verifying");
            List<String> classes = boot.classes().lines().toList();
            assertThat(classes).as("the copy ran with its progress").anyMatch(l -> l.contains(" dev.lethe.cli.ProgressDisplay "));
            // Besides the JDK: lethe, picocli's exceptions, tomlj and its antlr (no config cache here), as before
            // progress existed; a progress or terminal library would show up here.
            assertThat(classes).as("no library beyond those the boot path loaded already")
                    .filteredOn(l -> l.contains("source: file:") || l.contains("source: jar:"))
                    .allMatch(l -> l.contains("] dev.lethe.") || l.contains("] picocli.CommandLine$") || l.contains("] org.tomlj.")
                            || l.contains("] org.antlr."));
        }
    }
}
