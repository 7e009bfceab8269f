package dev.lethe.boot;

import dev.lethe.config.RootConfig;
import dev.lethe.root.ZfsStep;
import dev.lethe.root.zfs.ZfsCommands;
import dev.lethe.root.zfs.ZfsNames;
import dev.lethe.root.zfs.ZfsWipePlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The zfs wipe of the initrd script: the steps of lethe's own planner ({@link ZfsWipePlanner#initrd}),
 * each rendered as a sh function that says the step's sentence and runs its zfs commands ({@link
 * ZfsCommands}), with the values only the boot knows as sh variables and every literal quoted; then
 * {@code wipe-zfs.sh}, which observes the pool, decides the situation and calls them. One protocol
 * with the Java wipe, so either finishes what the other began.
 */
final class ZfsWipeScript {
    private ZfsWipeScript() {}

    /** A placeholder of the planner's initrd steps: {@code ${name}}, or {@code ${@}} for a list of words. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+|@)}");

    static String render(RootConfig.Zfs root) {
        ZfsNames n = ZfsNames.of(root);
        ZfsWipePlanner.InitrdSteps steps = ZfsWipePlanner.initrd(n);
        StringBuilder s = new StringBuilder();
        s.append("lethe_root=").append(Shell.quote(n.root())).append('\n');
        s.append("lethe_blank=").append(Shell.quote(n.blank())).append('\n');
        s.append("lethe_pool=").append(Shell.quote(n.pool())).append('\n');
        s.append("lethe_archives=").append(Shell.quote(n.archives())).append('\n');
        s.append("lethe_leaf=").append(Shell.quote(n.leaf())).append('\n');
        s.append("lethe_mnt=${LETHE_TOP:-/run/lethe/zfs-root}\n\n");
        s.append("# The steps of lethe's zfs wipe planner (root/zfs/ZfsWipePlanner.initrd), one function each.\n");
        s.append(step("lethe_zfs_unmount", steps.unmount()));
        s.append(step("lethe_zfs_create_archives", steps.createArchives()));
        s.append(step("lethe_zfs_rename", steps.rename()));
        s.append(step("lethe_zfs_resume", steps.resume()));
        s.append(step("lethe_zfs_mark_archive", steps.markArchive()));
        s.append(step("lethe_zfs_mark_archive_resumed", steps.markArchiveResumed()));
        s.append(commandsOnly("lethe_zfs_mark_guid", ZfsCommands.of(steps.markGuid())));
        s.append(step("lethe_zfs_clone", steps.cloneBlank()));
        s.append(step("lethe_zfs_promote", steps.promote()));
        s.append(step("lethe_zfs_keep_no_blank", steps.keepNoBlank()));
        s.append(step("lethe_zfs_keep_no_parent", steps.keepNoParent()));
        s.append(step("lethe_zfs_harden", steps.harden()));
        s.append(commandsOnly("lethe_zfs_noauto", List.of(steps.noAutoMount())));
        s.append(step("lethe_zfs_finish", steps.finish()));
        // The properties a new dataset is not given (ZfsWipePlanner.givenToClone): lethe's marks and
        // those a clone takes from its origin.
        s.append("lethe_zfs_given_to_clone() {\n    case \"$1\" in 'lethe:'*");
        for (String property : ZfsWipePlanner.FROM_ORIGIN.stream().sorted().toList()) {
            s.append('|').append(Shell.quote(property));
        }
        s.append(") return 1 ;; esac\n}\n\n");
        s.append(Shell.fragment("wipe-zfs.sh"));
        return s.toString();
    }

    /** A function that says the step's sentence, then runs its commands. */
    private static String step(String function, ZfsStep step) {
        List<String> body = new ArrayList<>();
        body.add("lethe_say " + word(step.describe()));
        ZfsCommands.of(step).forEach(command -> body.add(command(command)));
        return function + "() {\n    " + String.join("\n    ", body) + "\n}\n";
    }

    private static String commandsOnly(String function, List<List<String>> commands) {
        return function + "() {\n    " + commands.stream().map(ZfsWipeScript::command)
                .collect(Collectors.joining("\n    ")) + "\n}\n";
    }

    /**
     * {@code lethe_zfs ARGS}: the wipe's one way to run zfs (a crash point, patient with a busy
     * dataset). {@code -o ${@}} is the clone's list of {@code -o property=value}: the function's own
     * arguments, {@code "$@"}.
     */
    private static String command(List<String> argv) {
        if (!argv.getFirst().equals("zfs")) {
            throw new IllegalArgumentException("not a zfs command: " + argv);
        }
        List<String> words = new ArrayList<>(List.of("lethe_zfs"));
        for (int i = 1; i < argv.size(); i++) {
            if (argv.get(i).equals("-o") && i + 1 < argv.size() && argv.get(i + 1).equals("${@}")) {
                words.add("\"$@\"");
                i++;
            } else {
                words.add(word(argv.get(i)));
            }
        }
        return String.join(" ", words);
    }

    /** One sh word standing for {@code text}: literals single-quoted, placeholders as "${variable}". */
    static String word(String text) {
        StringBuilder word = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.group(1).equals("@")) {
                throw new IllegalArgumentException("${@} stands for several words, not a part of one: " + text);
            }
            if (m.start() > at) {
                word.append(Shell.quote(text.substring(at, m.start())));
            }
            word.append("\"${").append(m.group(1)).append("}\"");
            at = m.end();
        }
        if (at < text.length() || word.isEmpty()) {
            word.append(Shell.quote(text.substring(at)));
        }
        return word.toString();
    }
}
