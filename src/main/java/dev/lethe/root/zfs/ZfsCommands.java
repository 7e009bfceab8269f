package dev.lethe.root.zfs;

import dev.lethe.root.ZfsStep;
import java.util.ArrayList;
import java.util.List;

/**
 * The zfs commands that perform each step of the zfs wipe, as argument lists: the Java wipe runs
 * them ({@link ZfsStrategy#wipe}), the initrd script is rendered from them ({@code boot.ZfsWipeScript}),
 * so both follow one protocol and either finishes what the other began. Pure. Written for the oldest
 * zfs lethe meets (zfs-fuse, pool version 23): one property per {@code zfs set}.
 */
public final class ZfsCommands {
    private ZfsCommands() {}

    /** The commands of {@code step}, in order; none for a note. Each is a crash point when run. */
    public static List<List<String>> of(ZfsStep step) {
        return switch (step) {
            case ZfsStep.DestroyLeftover leftover -> List.of(List.of("zfs", "destroy", "-r", leftover.dataset()));
            case ZfsStep.Unmount unmount -> List.of(List.of("zfs", "unmount", unmount.dataset()));
            case ZfsStep.CreateArchives create -> List.of(List.of("zfs", "create", "-o", "canmount=off", "-o",
                    "mountpoint=none", create.dataset()));
            case ZfsStep.Rename rename -> List.of(List.of("zfs", "rename", rename.root(), rename.archive()));
            case ZfsStep.Resume resume -> List.of();
            case ZfsStep.Mark mark -> mark.marks().stream().map(ZfsCommands::set).toList();
            case ZfsStep.Clone clone -> {
                List<String> command = new ArrayList<>(List.of("zfs", "clone"));
                for (String property : clone.properties()) {
                    command.addAll(List.of("-o", property));
                }
                command.addAll(List.of(clone.archived() + "@" + clone.blank(), clone.target()));
                yield List.of(command, List.of("zfs", "promote", clone.target()));
            }
            case ZfsStep.Promote promote -> List.of(List.of("zfs", "promote", promote.target()));
            case ZfsStep.KeepInArchive keep -> List.of();
            case ZfsStep.Harden harden -> {
                List<List<String>> commands = new ArrayList<>(harden(harden.archive()));
                harden.datasets().forEach(dataset -> commands.add(noAutoMount(dataset)));
                yield commands;
            }
            case ZfsStep.Finish finish -> List.of(set(new ZfsStep.Property(finish.archive(), ZfsNames.STATE, ZfsNames.DONE)));
        };
    }

    static List<String> set(ZfsStep.Property property) {
        return List.of("zfs", "set", property.property() + "=" + property.value(), property.dataset());
    }

    /**
     * What hardens the archive as a whole: its mountpoints inherit none from lethe-archives, readonly
     * on at its top and inherited below. Idempotent, so a finish repeats them.
     */
    public static List<List<String>> harden(String archive) {
        return List.of(
                List.of("zfs", "inherit", "-r", "mountpoint", archive),
                List.of("zfs", "inherit", "-r", "readonly", archive),
                List.of("zfs", "set", "readonly=on", archive));
    }

    /** canmount is not inherited: each dataset of the archive needs its own. */
    public static List<String> noAutoMount(String dataset) {
        return List.of("zfs", "set", "canmount=noauto", dataset);
    }
}
