package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.plan.EntryState;
import dev.lethe.testing.BtrfsMachine;
import dev.lethe.testing.ChildRun;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * lethe metrics on a real tmpfs store (root, private mount namespace): the text read back line by
 * line, the figures of a situation built for it, the file replaced whole, and the boot path free of
 * the Prometheus client.
 */
class MetricsCommandTest {

    private static final String BOTH = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", "/var/lib/app"]
            """;
    private static final String LOG_ONLY = """
            [[store]]
            path = "/persist"
            directories = ["/var/log"]
            """;
    private static final String LOG_AND_NEW = """
            [[store]]
            path = "/persist"
            directories = ["/var/log", "/var/lib/new"]
            """;

    /** Every sample of a text-format exposition, "name{labels}" to value; fails on a line that is neither. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        List<String> described = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] f = line.split(" ", 4);
                assertThat(f).as(line).hasSize(4);
                if (line.startsWith("# TYPE ")) {
                    assertThat(f[3]).as(line).isEqualTo("gauge");
                    described.add(f[2]);
                }
                continue;
            }
            assertThat(line).as("a sample line").matches("[a-z_]+(\\{[a-z]+=\"[^\"]*\"\\})? \\S+");
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            assertThat(described).as("HELP and TYPE precede " + series).contains(series.replaceAll("\\{.*", ""));
            assertThat(samples.put(series, Double.parseDouble(line.substring(space + 1)))).as("twice: " + series).isNull();
        }
        return samples;
    }

    @Test
    void theFiguresAreThoseOfTheMachine() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(BOTH);
            m.write("/var/lib/app/db", "x".repeat(5000));
            Instant beforeBoot = Instant.now();
            assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
            Instant afterBoot = Instant.now();
            m.config(LOG_ONLY);
            assertThat(m.lethe("apply").exit()).isZero();  // /var/lib/app unmounted: its data is an orphan
            m.config(LOG_AND_NEW);
            m.write("/var/lib/new/x", "y");                // not applied: missing

            Machine.Run run = m.lethe("metrics");
            assertThat(run.exit()).as(run.all()).isZero();
            Map<String, Double> s = samples(run.out());

            assertThat(s).containsEntry("lethe_entries{state=\"active\"}", 1.0)
                    .containsEntry("lethe_entries{state=\"missing\"}", 1.0)
                    .containsEntry("lethe_entries{state=\"orphaned\"}", 1.0)
                    .containsEntry("lethe_entries{state=\"conflict\"}", 0.0)
                    .containsEntry("lethe_entries{state=\"wipe-failed\"}", 0.0);
            for (EntryState state : EntryState.values()) {
                assertThat(s).as("every state is present").containsKey("lethe_entries{state=\"" + state.word() + "\"}");
            }
            assertThat(s).containsEntry("lethe_orphans{store=\"/persist\"}", 1.0)
                    .containsEntry("lethe_orphan_bytes{store=\"/persist\"}", 5000.0)
                    .containsEntry("lethe_degraded_boot", 0.0)
                    .containsEntry("lethe_wipe_failed", 0.0)
                    .doesNotContainKey("lethe_archives")  // strategy none keeps no archives
                    .containsKey("lethe_build_info{version=\"development\"}");
            assertThat(s.get("lethe_last_activation_timestamp_seconds"))
                    .isBetween(beforeBoot.toEpochMilli() / 1000.0 - 1, afterBoot.toEpochMilli() / 1000.0 + 1);
            assertThat(s.get("lethe_last_activation_duration_seconds")).isPositive()
                    .isLessThanOrEqualTo((afterBoot.toEpochMilli() - beforeBoot.toEpochMilli()) / 1000.0 + 0.001);
            assertThat(s.get("lethe_metrics_last_success_timestamp_seconds"))
                    .isBetween(afterBoot.toEpochMilli() / 1000.0, Instant.now().toEpochMilli() / 1000.0 + 1);
            assertThat(m.read("/.lethe-activated")).as("the mark's first two fields as before").matches(
                    "\\S+ \\d{4}-\\d\\d-\\d\\dT\\S+Z \\d+\\.\\d{3}\n");
        }
    }

    @Test
    void aRootWithoutThisBootsMarkIsADegradedBootAndAnOldMarkStillReads() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(LOG_ONLY);
            assertThat(m.lethe("apply").exit()).isZero();
            Map<String, Double> none = samples(m.lethe("metrics").out());
            assertThat(none).containsEntry("lethe_degraded_boot", 1.0)
                    .doesNotContainKey("lethe_last_activation_timestamp_seconds");

            // A mark in the format written before the duration, left by another boot.
            m.write("/.lethe-activated", "0f0e0d0c-another-boot 2026-01-01T00:00:00Z\n");
            Map<String, Double> old = samples(m.lethe("metrics").out());
            assertThat(old).containsEntry("lethe_degraded_boot", 1.0)
                    .containsEntry("lethe_last_activation_timestamp_seconds", 1767225600.0)
                    .doesNotContainKey("lethe_last_activation_duration_seconds");
        }
    }

    @Test
    void theOutputFileIsReplacedWholeAndAMissingDirectoryIsRefused() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(LOG_ONLY);
            assertThat(m.lethe("apply").exit()).isZero();
            Path directory = m.scratch.resolve("textfiles");
            Files.createDirectories(directory);
            Path file = directory.resolve("lethe.prom");
            Files.writeString(file, "stale_metric 1\n".repeat(2000));

            Machine.Run run = m.lethe("metrics", "--output", file.toString());
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(run.out()).isEmpty();
            String written = Files.readString(file);
            assertThat(written).startsWith("# HELP ").doesNotContain("stale_metric").endsWith("\n");
            assertThat(samples(written)).containsEntry("lethe_entries{state=\"active\"}", 1.0);
            try (Stream<Path> left = Files.list(directory)) {
                assertThat(left.toList()).as("no temporary file left").containsExactly(file);
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");

            // A collection that fails leaves the last file whole: its success timestamp goes stale.
            Files.writeString(m.config, "[[store]]\npath = \"persist\"\n");
            Machine.Run invalid = m.lethe("metrics", "--output", file.toString());
            assertThat(invalid.exit()).isEqualTo(ExitCode.CONFIG);
            assertThat(invalid.err()).contains(m.config + ":2:");
            assertThat(Files.readString(file)).isEqualTo(written);

            Path nowhere = m.scratch.resolve("no-such-directory/lethe.prom");
            Machine.Run refused = m.lethe("metrics", "--output", nowhere.toString());
            assertThat(refused.exit()).isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(refused.err()).contains(nowhere.getParent().toString()).contains("does not exist");
            assertThat(Files.exists(nowhere.getParent())).isFalse();
        }
    }

    @Test
    void onBtrfsTheArchivesTheDegradedOneAndTheLastWipeAreCounted() throws Exception {
        try (BtrfsMachine m = new BtrfsMachine()) {
            m.config(m.rootSection() + LOG_ONLY);
            RootCommandsTest.boot(m);
            RootCommandsTest.wipeAndReboot(m);
            Map<String, Double> fresh = samples(m.lethe("metrics").out());
            assertThat(fresh).as("the fresh root, before this boot's activation").containsEntry("lethe_degraded_boot", 1.0)
                    .containsEntry("lethe_archives", 1.0).containsEntry("lethe_archives_degraded", 0.0);
            RootCommandsTest.wipeAndReboot(m);  // that boot never finished activation: kept as degraded
            RootCommandsTest.boot(m);

            var run = m.lethe("metrics");
            assertThat(run.exit()).as(run.all()).isZero();
            Map<String, Double> s = samples(run.out());
            assertThat(s).containsEntry("lethe_archives", 2.0).containsEntry("lethe_archives_degraded", 1.0)
                    .containsEntry("lethe_degraded_boot", 0.0).containsEntry("lethe_entries{state=\"active\"}", 1.0);
            Instant newest = Instant.parse((String) RootCommandsTest.archives(m).getFirst().get("created"));
            assertThat(s).containsEntry("lethe_last_wipe_timestamp_seconds", newest.toEpochMilli() / 1000.0);
        }
    }

    @Test
    void theBootLoadsNoPrometheusClassAndMetricsDoes() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(LOG_ONLY);
            String boot = classesLoaded(m, "apply", "--boot", "system");
            assertThat(boot).as("the class log lists lethe's classes").contains("dev.lethe.cli.Apply ");
            assertThat(boot).doesNotContain(" io.prometheus.").doesNotContain(" dev.lethe.metrics.");
            // The same check on the metrics command finds the client: the log would show it.
            assertThat(classesLoaded(m, "metrics")).contains(" io.prometheus.metrics.expositionformats.");
        }
    }

    private static String classesLoaded(Machine m, String... args) throws Exception {
        ChildRun run = ChildRun.of(m, args);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.classes();
    }
}
