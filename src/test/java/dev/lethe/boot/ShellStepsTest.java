package dev.lethe.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.root.WipeStep;
import dev.lethe.root.BtrfsStep;
import dev.lethe.testing.Sh;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wipe's steps as shell lines: literals quoted whatever they hold, the planned variables expanded. */
class ShellStepsTest {

    @Test
    void literalsAreQuotedAndTheVariablesExpanded() {
        String word = ShellSteps.word("it's $HOME `x` lethe-archives/${name}!", Set.of("name"));
        assertThat(word).isEqualTo("'it'\\''s $HOME `x` lethe-archives/'\"${name}\"'!'");
        // The shell itself reads the word back as the literal with the variable's value in place.
        String echoed = Sh.run("sh", "-c", "name='a b*'; printf '%s' " + word);
        assertThat(echoed).isEqualTo("it's $HOME `x` lethe-archives/a b*!");
        assertThat(ShellSteps.word("", Set.of())).isEqualTo("''");
    }

    @Test
    void aPlaceholderTheScriptDoesNotSetIsRefused() {
        assertThatThrownBy(() -> ShellSteps.word("@root-${evil}", Set.of("name")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("${evil}");
    }

    @Test
    void eachStepSaysItsSentenceThenCallsTheHelperOfItsKind() {
        List<String> lines = ShellSteps.render(List.of(
                new BtrfsStep.AlreadyFresh("@root", "@root-blank"),
                new BtrfsStep.MakeArchives("/dev/vdb", "lethe-archives", 0700),
                new BtrfsStep.Rename("@root", "lethe-archives/${name}", false)), Set.of("name"), "  ");
        assertThat(lines).containsExactly(
                "  lethe_say '/@root is an untouched snapshot of /@root-blank (nothing has written to it since it was"
                        + " made): nothing to archive or recreate'",
                "  lethe_step 'create the directory lethe-archives on the top level of /dev/vdb'",
                "  lethe_mkdir 'lethe-archives' '0700'",
                "  lethe_step 'keep /@root as archive lethe-archives/'\"${name}\"' (a rename: constant time)'",
                "  lethe_rename '@root' 'lethe-archives/'\"${name}\"");
        assertThatThrownBy(() -> ShellSteps.render(List.<WipeStep>of(new WipeStep.NothingToWipe("x")), Set.of(), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
