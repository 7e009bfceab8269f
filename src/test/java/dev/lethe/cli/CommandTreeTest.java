package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
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
    void theCommandIsTheFirstArgumentAfterTheGlobalOptionsAndTheirValues() {
        assertThat(Main.commandName("diff", "--json")).isEqualTo("diff");
        assertThat(Main.commandName("--root", "/mnt", "diff")).isEqualTo("diff");
        assertThat(Main.commandName("-c", "/etc/x.toml", "--config", "/etc/y.toml", "status")).isEqualTo("status");
        assertThat(Main.commandName("--root=/mnt", "--config=/x", "plan")).isEqualTo("plan");
        assertThat(Main.commandName("--help")).isNull();
        assertThat(Main.commandName()).isNull();
        assertThat(Main.commandName("--help", "diff")).as("the top command's help: every command").isNull();
        assertThat(Main.commandName("-h", "status")).isNull();
        assertThat(Main.commandName("--bogus", "diff")).isNull();
        assertThat(Main.commandName("--root", "status", "diff")).as("a value that names a command").isNull();
        assertThat(Main.commandName("--root")).isNull();
    }

    /** The options taken as global with a value are exactly GlobalOptions' (a new one must be added there). */
    @Test
    void theValuedGlobalOptionsAreGlobalOptions() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        new CommandLine(new Main()).getCommandSpec().options().stream()
                .filter(option -> option.arity().max() > 0 && !option.usageHelp() && !option.versionHelp())
                .forEach(option -> names.addAll(List.of(option.names())));
        assertThat(names).isEqualTo(new java.util.TreeSet<>(Main.VALUED_GLOBAL_OPTIONS));
    }

    /** What the user sees for command lines the narrowed model must not change: the same as the tree's. */
    @Test
    void theTopHelpAndErrorsBeforeACommandAreTheTrees() {
        String treeHelp = TREE.getUsageMessage();
        assertThat(run("--help", "diff")).isEqualTo(treeHelp);
        assertThat(run("-h", "status")).isEqualTo(treeHelp);
        assertThat(err("--root", "status", "diff")).isEqualTo(treeErr("--root", "status", "diff"));
        assertThat(err("--bogus", "diff")).isEqualTo(treeErr("--bogus", "diff"));
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

    /** Each command's help, nested ones too (its options, the inherited --help and --version, the exit codes), as the tree gives it. */
    @Test
    void eachCommandsHelpIsTheTreesHelp() {
        for (Map.Entry<String, CommandLine> command : TREE.getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) {
                continue;
            }
            String alone = run(command.getKey(), "--help");
            assertThat(alone).as(command.getKey()).contains("Exit codes:", "--help", "--version")
                    .isEqualTo(command.getValue().getUsageMessage());
            for (Map.Entry<String, CommandLine> nested : command.getValue().getSubcommands().entrySet()) {
                assertThat(run(command.getKey(), nested.getKey(), "--help")).as(command.getKey() + " " + nested.getKey())
                        .contains("Exit codes:").isEqualTo(nested.getValue().getUsageMessage());
            }
        }
    }

    @Test
    void optionsBeforeTheCommandStillReachIt() {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "--root", "/nonexistent-root", "status");
        assertThat(exit).isEqualTo(ExitCode.ENVIRONMENT);
        assertThat(err.toString()).contains("/nonexistent-root");
    }

    private static String err(String... args) {
        StringWriter err = new StringWriter();
        Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return err.toString();
    }

    /** What the whole tree writes to stderr for these arguments, parsed as Main.run would. */
    private static String treeErr(String... args) {
        StringWriter err = new StringWriter();
        CommandLine tree = new CommandLine(new CommandTree());
        tree.setErr(new PrintWriter(err, true));
        tree.setOut(new PrintWriter(new StringWriter(), true));
        tree.setDefaultValueProvider(((Main) tree.getCommand()).global);
        tree.setCaseInsensitiveEnumValuesAllowed(true);
        tree.execute(args);
        return err.toString();
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
        return out.toString();
    }
}
