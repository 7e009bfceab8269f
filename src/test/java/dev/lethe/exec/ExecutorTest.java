package dev.lethe.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.linux.Fs;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import dev.lethe.model.Progress;
import dev.lethe.plan.Action;
import dev.lethe.plan.Plan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the executor tells an entry's failure from a bug. */
class ExecutorTest {

    private static final AbsolutePath LOG = AbsolutePath.of("/var/log");

    @Test
    void whatTheMachineRefusesFailsThatEntryOnly(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("var/log"));
        Files.writeString(root.resolve("var/log/syslog"), "data");
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            Executor.Report report = new Executor(fs, List.of(), Progress.NONE).execute(new Plan(List.of(
                    new Action.Refuse(LOG, Action.Problem.CONFLICT, "both hold data"))));
            assertThat(report.failures()).singleElement()
                    .satisfies(failure -> assertThat(failure.error()).contains("both hold data"));
        }
    }

    /** A RuntimeException is a bug: it goes up to the command (exit 70 with its message), not into the report. */
    @Test
    void aBugIsNotAnEntryFailure(@TempDir Path root) throws Exception {
        try (Fs fs = Fs.open(new FfmSyscalls(), root.toString())) {
            // No entry names /var/log, so the executor knows no store for it: a planner bug.
            Executor executor = new Executor(fs, List.of(), Progress.NONE);
            Plan plan = new Plan(List.of(new Action.Migrate(LOG, LOG, AbsolutePath.of("/persist/var/log"), Kind.DIRECTORY)));
            assertThatThrownBy(() -> executor.execute(plan))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no store known for entry /var/log");
        }
    }
}
