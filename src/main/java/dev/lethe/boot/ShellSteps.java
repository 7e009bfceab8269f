package dev.lethe.boot;

import dev.lethe.root.WipeStep;
import dev.lethe.root.BtrfsStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wipe's steps as POSIX sh lines, for the initrd script: each step says its sentence ({@code
 * lethe_step} before a change, which is also where the crash tests kill the script; {@code
 * lethe_say} for a step that changes nothing), then calls the helper of its kind in the script's
 * fragment. Every value is quoted as a literal, except the boot-time variables the steps were
 * planned with ({@code ${name}}), which are expanded in double quotes.
 */
final class ShellSteps {
    private ShellSteps() {}

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_]+)}");

    /**
     * The lines for {@code steps}, each indented by {@code indent}.
     *
     * @param variables the boot-time variables the steps may name; any other {@code ${...}} in a
     *                  value is refused, so that no literal is ever expanded by the shell
     */
    static List<String> render(List<WipeStep> steps, Set<String> variables, String indent) {
        List<String> lines = new ArrayList<>();
        for (WipeStep step : steps) {
            // Not a switch over WipeStep: the other strategies' kinds have no shell form here yet.
            if (!(step instanceof BtrfsStep btrfs)) {
                throw new IllegalArgumentException("no shell form for the wipe step: " + step.describe());
            }
            String said = word(step.describe(), variables);
            String call = switch (btrfs) {
                case BtrfsStep.AlreadyFresh s -> null;
                case BtrfsStep.FoundArchived s -> null;
                case BtrfsStep.MakeArchives s -> command(variables, "lethe_mkdir", s.directory(), String.format("%04o", s.mode()));
                case BtrfsStep.ForgetRecord s -> command(variables, "lethe_forget", s.registry(), s.name(), s.subvolume(), s.uuid());
                case BtrfsStep.Record s -> command(variables, "lethe_record", s.registry(), s.name(), s.subvolume(), s.uuid(),
                        s.id(), s.created(), Boolean.toString(s.degraded()));
                case BtrfsStep.Rename s -> command(variables, "lethe_rename", s.subvolume(), s.archive());
                case BtrfsStep.Snapshot s -> command(variables, "lethe_snapshot", s.blank(), s.subvolume());
            };
            if (call == null) {
                lines.add(indent + "lethe_say " + said);
            } else {
                lines.add(indent + "lethe_step " + said);
                lines.add(indent + call);
            }
        }
        return List.copyOf(lines);
    }

    private static String command(Set<String> variables, String function, String... arguments) {
        StringBuilder s = new StringBuilder(function);
        for (String argument : arguments) {
            s.append(' ').append(word(argument, variables));
        }
        return s.toString();
    }

    /** One shell word that stands for {@code value}: literals single-quoted, the variables expanded. */
    static String word(String value, Set<String> variables) {
        StringBuilder s = new StringBuilder();
        Matcher m = VARIABLE.matcher(value);
        int at = 0;
        while (m.find()) {
            if (!variables.contains(m.group(1))) {
                throw new IllegalArgumentException("\"" + value + "\" names ${" + m.group(1)
                        + "}, which is not one of the script's variables " + variables);
            }
            if (m.start() > at) {
                s.append(Shell.quote(value.substring(at, m.start())));
            }
            s.append("\"${").append(m.group(1)).append("}\"");
            at = m.end();
        }
        if (at < value.length() || s.isEmpty()) {
            s.append(Shell.quote(value.substring(at)));
        }
        return s.toString();
    }
}
