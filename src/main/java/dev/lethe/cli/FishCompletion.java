package dev.lethe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * fish's completion for lethe, written from the same command definitions as --help, the man pages
 * and bash's completion (picocli writes those two; it has no fish generator). Built into the
 * package by the {@code dist} Maven profile; never loaded when lethe runs.
 */
final class FishCompletion {
    private FishCompletion() {}

    /** The completion script for {@code lethe} and every command under it. */
    static String render(CommandLine lethe) {
        StringBuilder out = new StringBuilder("""
                # fish completion for lethe, generated from its command definitions; do not edit.
                complete -c lethe -f
                """);
        command(out, lethe.getCommandSpec(), List.of());
        return out.toString();
    }

    /** One command's subcommands, options and, when it takes paths, file names. */
    private static void command(StringBuilder out, CommandSpec spec, List<String> path) {
        Collection<CommandLine> subcommands = new LinkedHashSet<>(spec.subcommands().values());
        String here = condition(path, subcommands);
        for (CommandLine sub : subcommands) {
            CommandSpec child = sub.getCommandSpec();
            if (!child.usageMessage().hidden()) {
                out.append("complete -c lethe -n '").append(here).append("' -a ").append(child.name())
                        .append(" -d ").append(quote(summary(child.usageMessage().description()))).append('\n');
            }
        }
        for (OptionSpec option : spec.options()) {
            if (!option.hidden()) {
                out.append("complete -c lethe -n '").append(here).append("'").append(option(option)).append('\n');
            }
        }
        if (spec.positionalParameters().stream().anyMatch(FishCompletion::takesPath)) {
            out.append("complete -c lethe -n '").append(here).append("' -F\n");
        }
        for (CommandLine sub : subcommands) {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(sub.getCommandSpec().name());
            command(out, sub.getCommandSpec(), deeper);
        }
    }

    /** True while the words typed so far lead to this command and to none of its subcommands. */
    private static String condition(List<String> path, Collection<CommandLine> subcommands) {
        List<String> parts = new ArrayList<>();
        if (path.isEmpty()) {
            parts.add("__fish_use_subcommand");
        } else {
            path.forEach(name -> parts.add("__fish_seen_subcommand_from " + name));
            if (!subcommands.isEmpty()) {
                Set<String> names = new LinkedHashSet<>();
                subcommands.forEach(c -> names.add(c.getCommandSpec().name()));
                parts.add("not __fish_seen_subcommand_from " + String.join(" ", names));
            }
        }
        return String.join("; and ", parts);
    }

    private static String option(OptionSpec option) {
        StringBuilder text = new StringBuilder();
        for (String name : option.names()) {
            text.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
        }
        if (option.arity().max() > 0) {
            Iterable<String> candidates = option.completionCandidates();
            if (candidates != null && candidates.iterator().hasNext()) {
                // Lower case, as the docs write them; lethe reads either.
                List<String> words = new ArrayList<>();
                candidates.forEach(word -> words.add(word.toLowerCase(java.util.Locale.ROOT)));
                text.append(" -x -a ").append(quote(String.join(" ", words)));
            } else if (takesPath(option)) {
                text.append(" -r -F");
            } else {
                text.append(" -x");
            }
        }
        return text.append(" -d ").append(quote(summary(option.description()))).toString();
    }

    private static boolean takesPath(CommandLine.Model.ArgSpec argument) {
        Class<?> type = argument.type();
        boolean paths = type == Path.class || type == java.io.File.class
                || argument.auxiliaryTypes().length > 0 && argument.auxiliaryTypes()[0] == Path.class;
        return paths || argument instanceof PositionalParamSpec positional && positional.paramLabel().contains("PATH");
    }

    /** The first sentence of a description: fish shows one short line beside each candidate. */
    static String summary(String[] description) {
        // %n is picocli's line break in help texts.
        String text = String.join(" ", description).replace("%n", " ").strip();
        int end = text.indexOf(". ");
        text = end < 0 ? text : text.substring(0, end);
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /** A fish single-quoted string: only the quote and the backslash are escaped in it. */
    static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
