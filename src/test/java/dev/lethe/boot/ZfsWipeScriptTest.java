package dev.lethe.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.config.RootConfig;
import dev.lethe.config.RootConfig.Retention;
import dev.lethe.model.Origin;
import dev.lethe.root.ZfsStep;
import dev.lethe.root.zfs.ZfsCommands;
import dev.lethe.root.zfs.ZfsNames;
import dev.lethe.root.zfs.ZfsWipePlanner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The zfs wipe as sh, without a pool: each planner step's function, its quoting, and that sh parses it. */
class ZfsWipeScriptTest {

    private static RootConfig.Zfs zfs(String dataset) {
        return new RootConfig.Zfs(dataset, "blank", Retention.UNDECLARED, new Origin("lethe.toml", 2));
    }

    @Test
    void eachStepOfThePlannerIsAFunctionThatSaysItAndRunsItsCommands() {
        String script = ZfsWipeScript.render(zfs("rpool/ROOT/debian"));
        assertThat(script).contains(
                "lethe_root='rpool/ROOT/debian'\n", "lethe_archives='rpool/lethe-archives'\n", "lethe_leaf='debian'\n",
                """
                lethe_zfs_rename() {
                    lethe_say 'rename rpool/ROOT/debian to '"${lethe_archive}"': the old root, with its child datasets and snapshots, is the archive'
                    lethe_zfs 'rename' 'rpool/ROOT/debian' "${lethe_archive}"
                }
                """,
                """
                    lethe_zfs 'clone' "$@" "${lethe_archive}""${lethe_rel}"'@blank' 'rpool/ROOT/debian'"${lethe_rel}"
                    lethe_zfs 'promote' 'rpool/ROOT/debian'"${lethe_rel}"
                """,
                "lethe_zfs 'set' 'lethe:guid='\"${lethe_guid}\" \"${lethe_archive}\"\"${lethe_rel}\"",
                "lethe_zfs 'set' 'lethe:created='\"${lethe_created}\" \"${lethe_archive}\"",
                "case \"$1\" in 'lethe:'*|'casesensitivity'|'normalization'|'utf8only') return 1 ;; esac");
        // Every command of every step the planner gives the initrd is in the script, as its function runs it.
        ZfsWipePlanner.InitrdSteps steps = ZfsWipePlanner.initrd(ZfsNames.of(zfs("rpool/ROOT/debian")));
        for (ZfsStep step : List.of(steps.unmount(), steps.createArchives(), steps.rename(), steps.markArchive(),
                steps.markArchiveResumed(), steps.markGuid(), steps.promote(), steps.harden(), steps.finish())) {
            for (List<String> command : ZfsCommands.of(step)) {
                assertThat(script).as(step.toString()).contains(rendered(command));
            }
        }
        assertThat(script).doesNotContain("'${", "${@}");
        // The resumed marks leave lethe:state alone: an archive cut short keeps the state it has.
        String resumed = script.substring(script.indexOf("lethe_zfs_mark_archive_resumed() {"));
        assertThat(resumed.substring(0, resumed.indexOf("\n}\n"))).doesNotContain("lethe_zfs 'set' 'lethe:state");
        assertThat(script).contains("lethe_zfs 'set' 'lethe:state=pending' \"${lethe_archive}\"");
    }

    private static String rendered(List<String> command) {
        StringBuilder line = new StringBuilder("lethe_zfs");
        for (String word : command.subList(1, command.size())) {
            line.append(' ').append(ZfsWipeScript.word(word));
        }
        return line.toString();
    }

    @Test
    void wordsQuoteEveryLiteralAndLeaveOnlyPlaceholdersToTheShell() {
        assertThat(ZfsWipeScript.word("tank/root")).isEqualTo("'tank/root'");
        assertThat(ZfsWipeScript.word("it's $HOME `x`")).isEqualTo("'it'\\''s $HOME `x`'");
        assertThat(ZfsWipeScript.word("${lethe_archive}/var")).isEqualTo("\"${lethe_archive}\"'/var'");
        assertThat(ZfsWipeScript.word("")).isEqualTo("''");
        assertThatThrownBy(() -> ZfsWipeScript.word("-o ${@}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theWholeInitrdScriptParsesAsPosixSh() throws Exception {
        String script = "set -f\n" + Shell.fragment("common.sh") + ZfsWipeScript.render(zfs("tank/machines/web.1"));
        Process sh = new ProcessBuilder("sh", "-n").redirectErrorStream(true).start();
        sh.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        sh.getOutputStream().close();
        String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor()).as(output).isZero();
    }
}
