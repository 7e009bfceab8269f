package dev.lethe.root;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.root.RootStrategy.WipeRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** tmpfs and none plan one typed step that says why there is nothing to wipe, and a wipe takes exactly that. */
class NoWipeStrategyTest {

    private static final WipeRequest REQUEST = new WipeRequest(Instant.parse("2026-11-28T06:44:10Z"), true);

    @Test
    void tmpfsPlansNothingAndSaysThePowerForgetsTheRoot() {
        WipePlan plan = NoWipeStrategy.tmpfs().planWipe(REQUEST);
        assertThat(plan.steps()).containsExactly(new WipeStep.NothingToWipe(
                "the root is a tmpfs: it is already forgotten at every boot, so there is nothing to wipe"));
        assertThat(plan.archive()).isEmpty();
        assertThat(NoWipeStrategy.tmpfs().wipe(REQUEST).steps()).isEqualTo(plan.steps());
        assertThat(NoWipeStrategy.tmpfs().wipe(REQUEST).archive()).isNull();
    }

    @Test
    void nonePlansNothingAndSaysItIsAdoptionMode() {
        WipePlan plan = NoWipeStrategy.none().planWipe(REQUEST);
        assertThat(plan.steps()).singleElement().isInstanceOf(WipeStep.NothingToWipe.class);
        assertThat(plan.sentences()).containsExactly("strategy \"none\" is adoption mode: lethe persists your entries "
                + "but never wipes the root. Choose btrfs, zfs, overlay or tmpfs in [root] to start forgetting");
        assertThat(NoWipeStrategy.none().wipe(REQUEST).steps()).isEqualTo(plan.steps());
    }
}
