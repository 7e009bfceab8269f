package dev.lethe.boot;

import java.nio.file.Path;
import java.util.List;

/**
 * One thing {@code lethe install} does to the managed root, in order. Paths are absolute within
 * that root. Printed by {@code install --dry-run}, done by the installer, undone by uninstall.
 */
public sealed interface InstallStep {

    /** The path in the managed root this step makes, if it makes one (a command makes none). */
    String path();

    /** A file rendered from the config (a script, a unit). */
    record WriteFile(String path, String content, int mode) implements InstallStep {}

    /** A file or a tree of the lethe build copied as it is, times kept (the AOT cache checks them). */
    record Copy(Path from, String path) implements InstallStep {}

    /** A symbolic link (a unit enabled as systemctl enable would). */
    record Link(String path, String target) implements InstallStep {}

    /** A command run in the managed root after the files are in place. */
    record Run(List<String> command, String why) implements InstallStep {
        public Run {
            command = List.copyOf(command);
        }

        @Override
        public String path() {
            return "";
        }
    }
}
