package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * --json on apply and check, and the status table, on a real tmpfs store in a private mount
 * namespace: each document is read back with jackson's strict parser, so anything printed on
 * stdout besides the one JSON value fails the test.
 */
class JsonOutputTest {

    private static final String CONFIG = """
            [[store]]
            path = "/persist"
            directories = ["/var/lib/app", "/srv/data"]
            """;

    @Test
    @SuppressWarnings("unchecked")
    void applyJsonReportsEveryActionWithItsOutcomeAndNothingButJson() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/var/lib/app/db", "data\n");
            m.write("/srv/data/index", "index\n");

            Machine.Run first = m.lethe("apply", "--json");

            assertThat(first.exit()).as(first.all()).isZero();
            assertThat(first.err()).isEmpty();
            Map<String, Object> report = JsonTree.object(first.out());
            assertThat(report).containsEntry("version", 1L).containsEntry("entries", 2L).containsEntry("failed", 0L)
                    .containsEntry("waiting", 0L);
            List<Map<String, Object>> actions = (List<Map<String, Object>>) (List<?>) report.get("actions");
            assertThat(actions).anySatisfy(a -> assertThat(a).containsEntry("entry", "/var/lib/app")
                    .containsEntry("action", "migrate").containsEntry("to", "/persist/var/lib/app")
                    .containsEntry("outcome", "done").doesNotContainKey("message"));
            assertThat(actions).anySatisfy(a -> assertThat(a).containsEntry("entry", "/srv/data")
                    .containsEntry("action", "bind").containsEntry("outcome", "done"));
            assertThat(report.get("changes")).isEqualTo(actions.stream()
                    .filter(a -> a.get("outcome").equals("done")).count());
            assertThat(m.read("/var/lib/app/db")).isEqualTo("data\n");
            assertThat(m.mountsBelowRoot()).contains("/var/lib/app", "/srv/data");

            Map<String, Object> again = JsonTree.object(m.lethe("apply", "--json").out());
            assertThat(again).containsEntry("version", 1L).containsEntry("changes", 0L).containsEntry("failed", 0L);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void applyJsonPutsAFailedEntryInTheDocumentAndKeepsOneLineOnStderr() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/var/lib/app/db", "data\n");
            // /srv is a link inside the root: an entry below it is refused, the other one applied.
            Files.createDirectories(m.at("/elsewhere"));
            Files.createSymbolicLink(m.at("/srv"), Path.of("elsewhere"));

            Machine.Run run = m.lethe("apply", "--json");

            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            Map<String, Object> report = JsonTree.object(run.out());
            assertThat(report).containsEntry("version", 1L).containsEntry("failed", 1L);
            List<Map<String, Object>> actions = (List<Map<String, Object>>) (List<?>) report.get("actions");
            assertThat(actions).anySatisfy(a -> {
                assertThat(a).containsEntry("entry", "/srv/data").containsEntry("outcome", "failed");
                assertThat((String) a.get("message")).contains("symbolic link");
            });
            assertThat(actions).anySatisfy(a -> assertThat(a).containsEntry("entry", "/var/lib/app")
                    .containsEntry("outcome", "done"));
            assertThat(run.err().lines().toList()).as(run.err()).hasSize(1)
                    .first().asString().startsWith("lethe: 2 entries: 1 failed");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void checkJsonReportsConfigErrorsWithFileAndLineAndTheSameExitCode() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["var/lib/app", "/srv/data"]
                    """);
            Machine.Run text = m.lethe("check");
            assertThat(text.exit()).isEqualTo(ExitCode.CONFIG);
            assertThat(text.out()).isEmpty();
            String firstError = text.err().lines().findFirst().orElseThrow();

            for (String command : List.of("check", "apply", "status")) {
                Machine.Run run = m.lethe(command, "--json");
                assertThat(run.exit()).as(command).isEqualTo(ExitCode.CONFIG);
                Map<String, Object> report = JsonTree.object(run.out());
                assertThat(report).containsEntry("version", 1L).containsEntry("valid", false);
                List<Map<String, Object>> errors = (List<Map<String, Object>>) (List<?>) report.get("errors");
                assertThat(errors).hasSize(1);
                Map<String, Object> error = errors.getFirst();
                assertThat(error).containsEntry("file", m.config.toString()).containsEntry("line", 3L);
                assertThat(firstError).as("the text form says the same")
                        .startsWith(m.config + ":3: ").endsWith((String) error.get("message"));
                assertThat(run.err()).as("stderr keeps the one line")
                        .isEqualTo("lethe: the config is invalid (1 error); nothing was changed.\n");
            }
            assertThat(m.mountsBelowRoot()).as("nothing applied").doesNotContain("/var/lib/app", "/srv/data");

            m.config(CONFIG);
            Map<String, Object> valid = JsonTree.object(m.lethe("check", "--json").out());
            assertThat(valid).containsEntry("version", 1L).containsEntry("valid", true)
                    .containsEntry("config", m.config.toString());
            assertThat((List<Object>) valid.get("entries")).hasSize(2);
        }
    }

    @Test
    void wipeJsonOnAStrategyThatNeverWipesHasNoStepsAndSaysWhatAWipeMeans() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            assertThat(m.lethe("apply", "--boot", "system").exit()).isZero();
            Machine.Run text = m.lethe("wipe");
            Machine.Run run = m.lethe("wipe", "--json");
            assertThat(run.exit()).as(run.all()).isZero();
            Map<String, Object> report = JsonTree.object(run.out());
            assertThat(report).containsEntry("version", 1L).containsEntry("strategy", "none")
                    .containsEntry("done", false).containsEntry("steps", List.of()).doesNotContainKey("archive");
            assertThat(text.out()).isEqualTo(report.get("note") + ".\n");
        }
    }

    @Test
    void statusIsATableWithAHeaderRowAlignedPastALongPath() throws Exception {
        String longPath = "/var/lib/a-service-with-a-rather-long-name/and-its-state-directory-nested-deep";
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/srv/data", "%s"]
                    """.formatted(longPath));
            assertThat(m.lethe("apply").exit()).isZero();

            Machine.Run status = m.lethe("status");

            assertThat(status.exit()).as(status.all()).isZero();
            List<String> lines = status.out().lines().toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.getFirst()).matches("STATE +PATH +DETAIL");
            int path = lines.getFirst().indexOf("PATH");
            int detail = lines.getFirst().indexOf("DETAIL");
            assertThat(detail).as("the column is wider than the long path").isGreaterThan(path + longPath.length());
            for (String line : lines.subList(1, lines.size())) {
                assertThat(line).startsWith("active ").doesNotEndWith(" ");
                assertThat(line.substring(path)).startsWith("/");
                assertThat(line.substring(detail)).startsWith("bind-mounted from /persist/");
            }
            assertThat(lines).anySatisfy(line -> assertThat(line.substring(path)).startsWith(longPath + "  "));
        }
    }
}
