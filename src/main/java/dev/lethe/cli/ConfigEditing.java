package dev.lethe.cli;

import dev.lethe.config.Accounts;
import dev.lethe.config.ConfigEdit;
import dev.lethe.config.ConfigException;
import dev.lethe.config.ConfigFile;
import dev.lethe.config.ConfigLoader;
import dev.lethe.model.Entry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** What persist and forget share: the config as text, the root's accounts, writing the edit, applying it. */
record ConfigEditing(Path root, Path file, String text, Accounts accounts) {

    /** Reads the config (refused with check's errors if it is invalid now) and the root's user database. */
    static ConfigEditing open(CommonOptions options, boolean apply, String command) throws ConfigException, IOException {
        Path root = Session.checkedRoot(options.root);
        if (apply) {
            // Before anything is written: an edit that cannot then be applied is half a command.
            Session.requireRoot("lethe " + command);
        }
        Path file = options.configFile();
        ConfigLoader.load(file, root);  // a missing or invalid config: every error, exit 3, nothing written
        return new ConfigEditing(root, file, ConfigFile.read(file), Accounts.load(root));
    }

    /**
     * Prints why an edit was refused, as check prints errors; exit 3. The config was valid before,
     * so these are the change's: their line numbers are those the edited file would have had.
     */
    static int refused(ConfigException refusal, String command, PrintWriter err) {
        refusal.errors().forEach(err::println);
        err.printf("lethe: %s refused: the config would not pass check with this change (lines as the edited file "
                + "would have them); nothing was changed.%n", command);
        err.flush();
        return ExitCode.CONFIG;
    }

    /** Writes the edited text over the config, then applies it unless told not to; the exit code. */
    int write(ConfigEdit.Result edit, String verb, boolean apply, PrintWriter out, PrintWriter err) throws Exception {
        ConfigFile.replace(file, text, edit.text());
        for (Entry entry : edit.changed()) {
            out.printf("%-8s %-9s %s (%s line %d, store %s)%n", verb, entry.kind().word(), entry.target(), file,
                    entry.origin().line(), entry.store());
        }
        out.flush();
        if (!apply) {
            out.println("lethe: the config is changed; lethe apply puts it in place");
            out.flush();
            return ExitCode.OK;
        }
        return Apply.run(root, file, null, Optional.empty(), out, err);
    }
}
