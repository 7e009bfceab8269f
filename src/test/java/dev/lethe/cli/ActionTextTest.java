package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.AbsolutePath;
import dev.lethe.plan.Action;
import org.junit.jupiter.api.Test;

/** How actions read in plan and apply. */
class ActionTextTest {

    private static final AbsolutePath ENTRY = AbsolutePath.of("/var/lib/app");
    private static final AbsolutePath PATH = AbsolutePath.of("/persist/var/lib/app");

    @Test
    void aChangeOfModeAloneReadsAsAChmod() {
        Action chmod = new Action.SetOwnership(ENTRY, PATH, new Action.Ownership(0, 0, 0755), new Action.Ownership(0, 0, 0750));
        assertThat(ActionText.verb(chmod)).isEqualTo("chmod");
        assertThat(ActionText.describe(chmod)).isEqualTo("/persist/var/lib/app from 0755 to 0750");

        Action chown = new Action.SetOwnership(ENTRY, PATH, new Action.Ownership(0, 0, 0755), new Action.Ownership(1000, 0, 0755));
        assertThat(ActionText.verb(chown)).isEqualTo("chown");
        assertThat(ActionText.describe(chown)).isEqualTo("/persist/var/lib/app from 0:0 0755 to 1000:0 0755");
    }
}
