package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** fish's completion as rendered from the command definitions (tests/package/run runs it in fish). */
class FishCompletionTest {

    private final String script = FishCompletion.render(new CommandLine(new CommandTree()));

    @Test
    void everyCommandIsOfferedAtTheTopAndNestedOnesOnlyAfterTheirParent() {
        for (String command : List.of("check", "plan", "apply", "status", "diff", "persist", "forget", "init", "import",
                "wipe", "archive", "install", "uninstall", "try")) {
            assertThat(script).contains("complete -c lethe -n '__fish_use_subcommand' -a " + command + " -d '");
        }
        assertThat(script).contains("complete -c lethe -n '__fish_seen_subcommand_from archive; and not "
                + "__fish_seen_subcommand_from list show restore prune' -a restore -d '");
        assertThat(script).doesNotContain("'__fish_use_subcommand' -a restore");
    }

    @Test
    void optionsCarryTheirValuesFileNamesOrNone() {
        assertThat(script).contains("complete -c lethe -n '__fish_seen_subcommand_from apply' -l boot -x -a 'initrd system' -d '",
                "complete -c lethe -n '__fish_seen_subcommand_from status' -s c -l config -r -F -d 'The config file'",
                "complete -c lethe -n '__fish_seen_subcommand_from status' -l json -d 'Print JSON instead of text'",
                "complete -c lethe -n '__fish_seen_subcommand_from persist' -F");
        assertThat(script).as("status takes no path argument").doesNotContain("from status' -F");
    }

    @Test
    void quotesAreEscapedTheFishWay() {
        assertThat(FishCompletion.quote("the command's own \\ one")).isEqualTo("'the command\\'s own \\\\ one'");
        assertThat(FishCompletion.summary(new String[] {"%nWhen no COMMAND is given. More."}))
                .isEqualTo("When no COMMAND is given");
    }
}
