package dev.lethe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.RootConfig;
import dev.lethe.config.RootConfig.Retention;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Origin;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

    private static final Origin ORIGIN = new Origin("/etc/lethe/lethe.toml", 1);
    private static final Retention NONE = new Retention(OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

    /** initramfs-tools runs local-premount scripts by name unless told: "lethe" sorts before "resume". */
    @Test
    void theWipeWaitsForResumeFromHibernationAndForBtrfsDeviceScan() {
        assertThat(Generators.premount()).contains("PREREQ=\"btrfs resume\"");
    }

    @Test
    void dracutPutsTheOverlayModuleInOnlyForAnOverlayRoot() {
        RootConfig overlay = new RootConfig.Overlay(AbsolutePath.of("/state/overlay"), Optional.empty(), NONE, ORIGIN);
        assertThat(Generators.dracutModuleSetup(overlay)).contains("installkernel() { hostonly='' instmods overlay; }");
        assertThat(Generators.dracutModuleSetup(new RootConfig.Tmpfs(ORIGIN))).contains("instmods overlay");
        RootConfig btrfs = new RootConfig.Btrfs("/dev/vda3", "@root", "@root-blank", NONE, ORIGIN);
        assertThat(Generators.dracutModuleSetup(btrfs)).contains("installkernel() { :; }").doesNotContain("instmods");
    }
}
