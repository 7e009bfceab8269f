package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.diff.DiffRig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** lethe diff from the command line, end to end on a real overlay. */
class DiffCommandTest {

    private static final String OVERLAY = """
            [root]
            strategy = "overlay"
            upper = "/overlay"
            [[store]]
            path = "/persist"
            directories = ["/var/log"]
            """;

    private record Run(int exit, String out, String err) {}

    private static Run lethe(DiffRig rig, String... args) {
        List<String> full = new ArrayList<>(List.of("diff"));
        full.addAll(List.of(args));
        full.addAll(List.of("--root", rig.root.toString(), "--config", rig.config.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void textShowsTheLargestDirectoriesAndSuggestsConfigLines() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            rig.makeKnownChanges();
            Run run = lethe(rig, "--suggest", "--ignore", "/var/cache/**");
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            String out = run.out();
            assertThat(out).contains("/var/lib/foo", "/etc/dirB/y", "/etc/dirC", "17 paths the next boot will forget.")
                    .contains("{ path = \"/var/lib/foo\", owner = \"alice\", group = \"alice\", mode = \"0750\" },")
                    .contains("1005 B       4 changes  /var/lib/foo\n", "  20 B       9 changes  /etc\n", "... and 4 more")
                    .doesNotContain("/var/log", "/var/cache");
            assertThat(out.indexOf("/var/lib/foo")).isLessThan(out.indexOf("/etc"));
            assertThat(lethe(rig).out()).contains("/var/cache/app", "19 paths");
            assertThat(lethe(rig, "--all", "--ignore", "/var/cache/**").out()).contains("/var/cache/app", "19 paths");
        }
    }

    @Test
    void jsonHasOneRecordPerChange() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            rig.makeKnownChanges();
            Run run = lethe(rig, "--json", "--ignore", "/var/cache/**");
            assertThat(run.exit()).as(run.err()).isZero();
            Map<String, String> records = new TreeMap<>();
            for (Object element : JsonTree.array(run.out())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> node = (Map<String, Object>) element;
                assertThat(node.keySet()).containsExactly("path", "kind", "what", "bytes", "directory");
                records.put((String) node.get("path"), node.get("kind") + " " + node.get("what") + " "
                        + node.get("bytes") + (Boolean.TRUE.equals(node.get("directory")) ? " dir" : ""));
            }
            assertThat(records).containsExactlyEntriesOf(dev.lethe.diff.DiffTestKnown.KNOWN);
        }
    }

    @Test
    void anUntouchedBootSaysSo() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            Run run = lethe(rig);
            assertThat(run.exit()).isZero();
            assertThat(run.out()).contains("Nothing to forget");
            assertThat(JsonTree.array(lethe(rig, "--json").out())).isEmpty();
        }
    }

    @Test
    void otherStrategiesSayTheDiffIsNotAvailableYet() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    """);
            Run run = lethe(rig);
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("lethe diff for strategy none is not available yet");
            assertThat(run.out()).isEmpty();
        }
    }
}
