package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line that names a command is parsed with that command alone under the top one: the
 * name-to-class map must name every command of the tree by its own name, and what the user sees
 * (help, errors, global options) must be what the whole tree gives.
 */
class CommandTreeTest {

    private static final CommandLine TREE = new CommandLine(new CommandTree());

    @Test
    void everyCommandOfTheTreeIsFoundByItsNameAndNothingElseIs() {
        Map<String, Class<?>> inTree = new TreeMap<>();
        TREE.getSubcommands().forEach((name, sub) -> inTree.put(name, sub.getCommand().getClass()));
        inTree.remove("help");  // help lists the others: it needs the whole tree
        Map<String, Class<?>> named = new TreeMap<>();
        for (String name : inTree.keySet()) {
            named.put(name, CommandTree.named(name));
        }
        assertThat(named).isEqualTo(inTree);
        assertThat(CommandTree.named("help")).isNull();
        assertThat(CommandTree.named("dif")).isNull();
        assertThat(CommandTree.named(null)).isNull();
    }

    @Test
    void theCommandIsTheFirstArgumentThatIsNeitherAnOptionNorItsValue() {
        assertThat(Main.commandName("diff", "--json")).isEqualTo("diff");
        assertThat(Main.commandName("--root", "status", "diff")).isEqualTo("diff");
        assertThat(Main.commandName("-c", "plan", "--config", "apply", "status")).isEqualTo("status");
        assertThat(Main.commandName("--root=/mnt", "plan")).isEqualTo("plan");
        assertThat(Main.commandName("--help")).isNull();
        assertThat(Main.commandName()).isNull();
    }

    @Test
    void aNamedCommandIsModelledAloneAndAnyOtherCommandLineGetsTheTree() {
        CommandLine one = Main.commandLine("--root", "/mnt", "diff", "--json");
        assertThat(one.getSubcommands().keySet()).containsExactly("diff");
        assertThat(one.getSubcommands().get("diff").getSubcommands()).isEmpty();
        assertThat(Main.commandLine("archive", "list").getSubcommands().get("archive").getSubcommands().keySet())
                .containsExactlyInAnyOrder("list", "show", "prune", "restore");
        assertThat(Main.commandLine("help", "diff").getSubcommands()).containsKeys("diff", "help", "status");
        assertThat(Main.commandLine("dif").getSubcommands()).hasSameSizeAs(TREE.getSubcommands());
    }

    /** Each command's help (its options, the inherited --help and --version, the exit codes) as the tree gives it. */
    @Test
    void eachCommandsHelpIsTheTreesHelp() {
        for (Map.Entry<String, CommandLine> command : TREE.getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) {
                continue;
            }
            String alone = run(command.getKey(), "--help");
            assertThat(alone).as(command.getKey()).contains("Exit codes:", "--help", "--version")
                    .isEqualTo(command.getValue().getUsageMessage());
        }
    }

    @Test
    void optionsBeforeTheCommandStillReachIt() {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "--root", "/nonexistent-root", "status");
        assertThat(exit).isEqualTo(ExitCode.ENVIRONMENT);
        assertThat(err.toString()).contains("/nonexistent-root");
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
        return out.toString();
    }
}
