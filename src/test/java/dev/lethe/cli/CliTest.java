package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user meets it: exit codes by kind of failure, what check, plan and status
 * print (as text and as JSON), where the config is found, the boot mode's single line, symlink
 * entries and the initrd stage. Commands that only read the config run in this JVM on a plain
 * directory; those that mount run on a {@link Machine}.
 */
class CliTest {

    @TempDir
    Path dir;

    /** The output and exit code of lethe run in this JVM with exactly these arguments. */
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result lethe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A root directory with the user database the configs below resolve names in. */
    private Path root() throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nadm:x:4:\nalice:x:1000:\n");
        return root;
    }

    private Path write(String name, String toml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, toml);
        return file;
    }

    /** The 1-based line of {@code toml} that contains {@code fragment} (which must occur once). */
    private static int lineOf(String toml, String fragment) {
        List<String> lines = toml.lines().toList();
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                assertThat(found).as("%s occurs once", fragment).isEqualTo(-1);
                found = i + 1;
            }
        }
        assertThat(found).as("%s occurs", fragment).isPositive();
        return found;
    }

    // ---- exit codes -------------------------------------------------------------------------------

    @Test
    void aWrongCommandLineIsAUsageError() throws Exception {
        Path config = write("lethe.toml", "[[store]]\npath = \"/persist\"\n");
        String root = root().toString();
        for (String[] args : List.of(
                new String[] {"--no-such-option"},
                new String[] {"check", "--no-such-option", "--root", root, "--config", config.toString()},
                new String[] {"frobnicate"},
                new String[] {"apply", "--boot", "sometime", "--root", root, "--config", config.toString()},
                new String[] {"check", "--root"})) {
            Result run = lethe(args);
            assertThat(run.exit()).as("%s: %s", List.of(args), run.all()).isEqualTo(ExitCode.USAGE);
            assertThat(run.err()).as("%s", List.of(args)).isNotBlank();
        }
        Result none = lethe();
        assertThat(none.exit()).as(none.all()).isEqualTo(ExitCode.USAGE);
        assertThat(none.err()).contains("Missing command");

        Result help = lethe("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("check").contains("apply").contains("Exit codes");
    }

    @Test
    void aBadOptionValueIsAUsageErrorBeforeAnyWork() throws Exception {
        Path config = write("lethe.toml", "[[store]]\npath = \"/persist\"\n");
        String root = root().toString();
        for (String[] args : List.of(
                new String[] {"diff", "--top", "-1"},
                new String[] {"diff", "--top", "0"},
                new String[] {"diff", "--top", "many"},
                new String[] {"diff", "--top=99999999999"},
                new String[] {"archive", "show", "root.1", "etc/motd"},
                new String[] {"archive", "show", "root.1", "/etc/../motd"},
                new String[] {"archive", "restore", "root.1", "motd"})) {
            List<String> line = new ArrayList<>(List.of(args));
            line.addAll(List.of("--root", root, "--config", config.toString()));
            Result run = lethe(line.toArray(String[]::new));
            assertThat(run.exit()).as("%s: %s", line, run.all()).isEqualTo(ExitCode.USAGE);
            assertThat(run.err()).as("%s", line).doesNotContain("internal error, please report").doesNotContain("Exception");
            assertThat(run.out()).as("%s", line).isEmpty();
        }
        assertThat(lethe("diff", "--top", "-1", "--root", root, "--config", config.toString()).err())
                .contains("--top", "must be 1 or more");
    }

    @Test
    void helpIsACommandAndEveryHelpTellsTheTruth() throws Exception {
        Result help = lethe("help");
        assertThat(help.exit()).as(help.all()).isZero();
        assertThat(help.out()).contains("Usage: lethe").contains("check").doesNotContain("Did you mean");
        Result diffHelp = lethe("help", "diff");
        assertThat(diffHelp.exit()).as(diffHelp.all()).isZero();
        assertThat(diffHelp.out()).contains("Usage: lethe diff");
        // No command that does not exist yet is named; an optional PATH is shown as optional.
        assertThat(lethe("orphans", "--help").out()).doesNotContain("forget");
        assertThat(lethe("archive", "show", "--help").out()).contains("ID [PATH]");
    }

    @Test
    void countsAreWrittenAsAPersonWouldWriteThem() throws Exception {
        Path config = write("one.toml", "[[store]]\npath = \"/persist\"\ndirectories = [\"/var/log\"]\n");
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("root strategy none; 1 store, 1 entry\n");
    }

    @Test
    void everyCommandHasItsOwnHelp() {
        for (String[] command : List.of(new String[] {"check"}, new String[] {"plan"}, new String[] {"apply"},
                new String[] {"status"}, new String[] {"orphans"}, new String[] {"diff"}, new String[] {"wipe"},
                new String[] {"archive"}, new String[] {"archive", "restore"}, new String[] {"try"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.add("--help");
            Result help = lethe(args.toArray(String[]::new));
            assertThat(help.exit()).as("%s: %s", args, help.all()).isZero();
            assertThat(help.out()).as("%s", args).contains("Usage: lethe " + String.join(" ", command));
        }
    }

    @Test
    void anInvalidConfigExits3WithEveryErrorAsFileAndLine() throws Exception {
        String toml = """
                [[store]]
                path = "/persist"
                directories = [
                  "var/log",
                  { path = "/srv/app", mdoe = "0700" },
                  { path = "/srv/other", mode = "0999" },
                ]
                files = [{ path = "/etc/machine-id", stage = "early" }]
                [store.users.mallory]
                directories = ["Documents"]
                """;
        Path config = write("broken.toml", toml);
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());

        assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.out()).isEmpty();
        List<String> errors = run.err().lines().filter(l -> !l.startsWith("lethe: ")).toList();
        Pattern located = Pattern.compile(Pattern.quote(config.toString()) + ":(\\d+): .+");
        List<Integer> lines = new ArrayList<>();
        for (String error : errors) {
            Matcher m = located.matcher(error);
            assertThat(m.matches()).as("'%s' is file:line: message", error).isTrue();
            lines.add(Integer.parseInt(m.group(1)));
        }
        assertThat(lines).containsExactlyInAnyOrder(lineOf(toml, "\"var/log\""), lineOf(toml, "mdoe"),
                lineOf(toml, "0999"), lineOf(toml, "early"), lineOf(toml, "mallory"));
        assertThat(run.err()).contains("mdoe").contains("did you mean 'mode'").contains("var/log").contains("mallory")
                .contains("lethe: the config is invalid (5 errors); nothing was changed.");
    }

    @Test
    void thousandsOfErrorsArePrintedCapped() throws Exception {
        // 2 000 nested entries used to give 2 million errors (OutOfMemoryError); now one each, 50 shown.
        StringBuilder toml = new StringBuilder("[[store]]\npath = \"/persist\"\ndirectories = [\n");
        String path = "";
        for (int i = 0; i < 2000; i++) {
            path += "/d";
            toml.append("  \"").append(path).append("\",\n");
        }
        toml.append("]\n");
        Path config = write("nested.toml", toml.toString());
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err().lines().count()).isEqualTo(Main.MAX_ERRORS_SHOWN + 2);
        assertThat(run.err()).contains("... and 1949 more\n", "the config is invalid (1999 errors)");
    }

    @Test
    void anyInputFileIsAConfigErrorEvenOneThatMakesTheParserRecurse() throws Exception {
        for (String toml : List.of("x = " + "[".repeat(3000), "x = " + "{ a = ".repeat(3000),
                "a" + ".a".repeat(20000) + " = 1\n", "[" + "a.".repeat(20000) + "a]\n")) {
            Path config = write("deep.toml", toml);
            Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).startsWith(config + ":").doesNotContain("Exception", "Error:", "\tat ");
        }
    }

    @Test
    void aRootNameWrongOnItsOwnIsAConfigErrorBeforeAnyStrategyRuns() throws Exception {
        // It used to be the btrfs strategy's refusal, after it had looked for the device.
        String toml = """
                [root]
                strategy = "btrfs"
                device = "/dev/lethe-no-such-disk"
                subvolume = "@root"
                blank = "@root/blank"
                """;
        Path config = write("lethe.toml", toml);
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).startsWith(config + ":" + lineOf(toml, "blank =") + ": blank \"@root/blank\" and subvolume")
                .contains("lie one inside the other").doesNotContain("lethe-no-such-disk");
    }

    @Test
    void aBadIgnoreGlobExits3NamingFileLineAndGlob() throws Exception {
        String toml = """
                [[store]]
                path = "/persist"
                [diff]
                ignore = ["/var/cache/**", "var/tmp/**"]
                """;
        Path config = write("lethe.toml", toml);
        for (String command : List.of("check", "diff")) {
            Result run = lethe(command, "--root", root().toString(), "--config", config.toString());
            assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).startsWith(config + ":" + lineOf(toml, "var/tmp") + ": var/tmp/**: ignore: the glob is relative");
        }
    }

    @Test
    void aBadIgnoreGlobOnTheCommandLineIsAUsageError() throws Exception {
        Path config = write("lethe.toml", "[[store]]\npath = \"/persist\"\n");
        Result run = lethe("diff", "--ignore", "/var/cache/", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("--ignore", "/var/cache/", "ends with /");
    }

    @Test
    void aMissingConfigExits3NamingIt() throws Exception {
        Path missing = dir.resolve("nowhere.toml");
        Result run = lethe("check", "--root", root().toString(), "--config", missing.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains(missing + ": config file not found");
    }

    @Test
    void aMissingRootExits4NamingIt() throws Exception {
        Path config = write("lethe.toml", "[[store]]\npath = \"/persist\"\ndirectories = [\"/var/log\"]\n");
        for (String root : List.of("/does/not/exist", dir.resolve("no-root").toString())) {
            assumeTrue(!Files.exists(Path.of(root)), root + " exists here");
            // apply checks for root first: as another user it fails with the same code, but for that reason.
            for (String command : Namespaces.isRoot() ? List.of("check", "plan", "status", "apply") : List.of("check", "plan", "status")) {
                Result run = lethe(command, "--root", root, "--config", config.toString());
                assertThat(run.exit()).as("%s: %s", command, run.all()).isEqualTo(ExitCode.ENVIRONMENT);
                assertThat(run.err()).as(command).contains(root).contains("not a directory");
                assertThat(run.out()).as(command).isEmpty();
            }
        }
    }

    @Test
    void theBootFastPathGivesTheSameExitCodes() throws Exception {
        Path root = root();
        Path valid = write("lethe.toml", "[[store]]\npath = \"/persist\"\ndirectories = [\"/var/log\"]\n");
        Path broken = write("broken.toml", "[[store]]\npath = \"persist\"\n");
        assumeTrue(!Files.exists(Path.of("/does/not/exist")));
        assertThat(BootPath.run(new String[] {"apply", "--boot", "system", "--root", "/does/not/exist", "--config",
                valid.toString()})).isEqualTo(ExitCode.ENVIRONMENT);
        if (Namespaces.isRoot()) {
            assertThat(BootPath.run(new String[] {"apply", "--boot=initrd", "--root=" + root, "-c", broken.toString()}))
                    .isEqualTo(ExitCode.CONFIG);
        }
        // Anything but the boot command goes to picocli, which owns the usage errors.
        for (String[] args : List.of(
                new String[] {"apply", "--boot", "sometime", "--root", root.toString()},
                new String[] {"apply", "--boot", "system", "--no-such-option"},
                new String[] {"apply", "--boot", "system", "--root"},
                new String[] {"apply", "--boot"})) {
            assertThat(BootPath.run(args)).as("%s", List.of(args)).isNull();
            assertThat(lethe(args).exit()).as("%s", List.of(args)).isEqualTo(ExitCode.USAGE);
        }
        assertThat(BootPath.run(new String[] {"apply", "--root", root.toString()})).isNull();
        assertThat(BootPath.run(new String[] {"plan", "--root", root.toString(), "--json"})).isNull();
        // apply --json is picocli's too: the fast path prints text only.
        assertThat(BootPath.run(new String[] {"apply", "--boot", "system", "--root", root.toString(), "--json"})).isNull();
    }

    // ---- check ------------------------------------------------------------------------------------

    private static final String CHECKED = """
            [[store]]
            path = "/persist"
            directories = [
              "/var/log",
              { path = "/var/lib/app", mode = "0700", owner = "root", group = "adm" },
            ]
            files = [{ path = "/etc/machine-id", stage = "initrd" }, { path = "/etc/app.conf", method = "symlink" }]
            [store.users.alice]
            directories = [".ssh"]

            [[store]]
            path = "/scratch"
            directories = ["/var/cache"]
            """;

    @Test
    void checkPrintsTheNormalisedEntriesWithTheirOrigin() throws Exception {
        Path config = write("lethe.toml", CHECKED);
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.err()).isEmpty();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.getFirst()).isEqualTo(config + ": valid; root strategy none; 2 stores, 6 entries");
        assertThat(run.out()).doesNotContain("-:- -");
        assertThat(lines).hasSize(7);
        String at = Pattern.quote(config.toString());
        assertThat(lines).anyMatch(l -> l.matches("\\s+directory\\s+/var/log\\s+in /persist\\s+bind\\s+system\\s+owner/mode as found\\s+\\("
                + at + ":" + lineOf(CHECKED, "\"/var/log\"") + "\\)"));
        assertThat(lines).anyMatch(l -> l.matches("\\s+directory\\s+/var/lib/app\\s+in /persist\\s+bind\\s+system\\s+root:adm 0700\\s+\\("
                + at + ":" + lineOf(CHECKED, "/var/lib/app") + "\\)"));
        int files = lineOf(CHECKED, "machine-id");
        assertThat(lines).anyMatch(l -> l.matches("\\s+file\\s+/etc/machine-id\\s+in /persist\\s+bind\\s+initrd\\s+owner/mode as found\\s+\\("
                + at + ":" + files + "\\)"));
        assertThat(lines).anyMatch(l -> l.matches("\\s+file\\s+/etc/app.conf\\s+in /persist\\s+symlink\\s+system\\s+owner/mode as found\\s+\\("
                + at + ":" + files + "\\)"));
        assertThat(lines).anyMatch(l -> l.matches("\\s+directory\\s+/home/alice/.ssh\\s+in /persist\\s+bind\\s+system\\s+owner/mode as found\\s+\\("
                + at + ":" + lineOf(CHECKED, "\".ssh\"") + "\\)"));
        assertThat(lines).anyMatch(l -> l.matches("\\s+directory\\s+/var/cache\\s+in /scratch\\s+bind\\s+system\\s+owner/mode as found\\s+\\("
                + at + ":" + lineOf(CHECKED, "/var/cache") + "\\)"));
    }

    @Test
    void checkShowsTheDiffIgnoreGlobs() throws Exception {
        Path config = write("lethe.toml", CHECKED + """
                [diff]
                ignore = ["/var/cache/**", "/tmp/**"]
                """);
        Result run = lethe("check", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out().lines().toList().getLast()).isEqualTo("  diff ignores /var/cache/**, /tmp/**");
        Result json = lethe("check", "--json", "--root", root().toString(), "--config", config.toString());
        assertThat(JsonTree.object(json.out())).containsEntry("diff", Map.of("ignore", List.of("/var/cache/**", "/tmp/**")));
    }

    @Test
    void checkJsonHasOneObjectPerEntry() throws Exception {
        Path config = write("lethe.toml", CHECKED);
        Result run = lethe("check", "--json", "--root", root().toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.all()).isZero();
        Map<String, Object> document = JsonTree.object(run.out());
        assertThat(document).containsEntry("config", config.toString()).containsEntry("strategy", "none");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) document.get("entries");
        assertThat(entries).hasSize(6);
        Map<String, Map<String, Object>> byTarget = new LinkedHashMap<>();
        for (Map<String, Object> entry : entries) {
            assertThat(entry).containsKeys("target", "source", "store", "kind", "method", "stage", "origin");
            assertThat(byTarget.put((String) entry.get("target"), entry)).as("one object per entry").isNull();
        }
        assertThat(byTarget.keySet()).containsExactlyInAnyOrder("/var/log", "/var/lib/app", "/etc/machine-id",
                "/etc/app.conf", "/home/alice/.ssh", "/var/cache");
        String file = config.toString();
        assertThat(byTarget.get("/var/log")).containsEntry("source", "/persist/var/log").containsEntry("store", "/persist")
                .containsEntry("kind", "directory").containsEntry("method", "bind").containsEntry("stage", "system")
                .containsEntry("origin", file + ":" + lineOf(CHECKED, "\"/var/log\"")).doesNotContainKeys("mode", "user");
        assertThat(byTarget.get("/var/lib/app")).containsEntry("mode", "0700").containsEntry("owner", "root")
                .containsEntry("group", "adm");
        assertThat(byTarget.get("/etc/machine-id")).containsEntry("kind", "file").containsEntry("stage", "initrd");
        assertThat(byTarget.get("/etc/app.conf")).containsEntry("method", "symlink");
        assertThat(byTarget.get("/home/alice/.ssh")).containsEntry("user", "alice")
                .containsEntry("source", "/persist/home/alice/.ssh");
        assertThat(byTarget.get("/var/cache")).containsEntry("store", "/scratch").containsEntry("source", "/scratch/var/cache")
                .containsEntry("origin", file + ":" + lineOf(CHECKED, "/var/cache"));
    }

    // ---- where the config is found ---------------------------------------------------------------

    @Test
    void configOptionWinsAndTheDefaultIsEtcLetheUnderTheRoot() throws Exception {
        assumeTrue(System.getenv("LETHE_CONFIG") == null, "LETHE_CONFIG is set in this environment");
        Path root = root();
        Path inRoot = root.resolve("etc/lethe/lethe.toml");
        Files.createDirectories(inRoot.getParent());
        Files.writeString(inRoot, "[[store]]\npath = \"/persist\"\ndirectories = [\"/var/log\"]\n");
        Path elsewhere = write("other.toml", "[[store]]\npath = \"/persist\"\ndirectories = [\"/srv/a\", \"/srv/b\"]\n");

        Result byDefault = lethe("check", "--root", root.toString());
        assertThat(byDefault.exit()).as(byDefault.all()).isZero();
        assertThat(byDefault.out()).startsWith(inRoot + ": valid").contains("/var/log").doesNotContain("/srv/a");

        for (String option : List.of("--config", "-c")) {
            Result given = lethe("check", "--root", root.toString(), option, elsewhere.toString());
            assertThat(given.exit()).as(given.all()).isZero();
            assertThat(given.out()).startsWith(elsewhere + ": valid").contains("/srv/a").doesNotContain("/var/log");
        }

        Files.delete(inRoot);
        Result none = lethe("check", "--root", root.toString());
        assertThat(none.exit()).isEqualTo(ExitCode.CONFIG);
        assertThat(none.err()).contains(inRoot.toString());
    }

    @Test
    void applyWithoutConfigOptionUsesTheRootsOwnConfig() throws Exception {
        assumeTrue(System.getenv("LETHE_CONFIG") == null, "LETHE_CONFIG is set in this environment");
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("[[store]]\npath = \"/persist\"\ndirectories = [\"/srv/given\"]\n");
            m.write("/etc/lethe/lethe.toml", "[[store]]\npath = \"/persist\"\ndirectories = [\"/var/log\"]\n");

            Machine.Run byDefault = m.letheWithDefaultConfig("apply");
            assertThat(byDefault.exit()).as(byDefault.all()).isZero();
            assertThat(m.mountsBelowRoot()).containsExactlyInAnyOrder("/persist", "/var/log");

            Machine.Run given = m.lethe("apply");
            assertThat(given.exit()).as(given.all()).isZero();
            assertThat(m.mountsBelowRoot()).as("--config wins: its entries only; /var/log is no longer configured")
                    .containsExactlyInAnyOrder("/persist", "/srv/given");
        }
    }

    // ---- status, plan, apply --boot ---------------------------------------------------------------

    private static final Set<String> STATES = Set.of("active", "pending", "missing", "conflict", "unsafe",
            "wrong-owner-mode", "orphaned", "shadowed", "wrong-type", "store-missing");

    @Test
    void statusJsonGivesEveryPathAKnownState() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/var/lib/both", { path = "/var/lib/strict", mode = "0700" }, "/var/lib/gone"]
                    files = ["/etc/ssh/host_key"]
                    """);
            Files.createDirectories(m.at("/etc/ssh"));
            m.write("/var/lib/both/root.txt", "on the root");
            Files.createDirectories(m.disk.resolve("var/lib/both"));
            Files.writeString(m.disk.resolve("var/lib/both/store.txt"), "in the store");
            Machine.Run apply = m.lethe("apply");
            assertThat(apply.exit()).as(apply.all()).isEqualTo(ExitCode.ENTRIES_FAILED);

            Sh.run("chmod", "0755", m.disk.resolve("var/lib/strict").toString());
            Files.createDirectories(m.disk.resolve("var/lib/unnamed"));
            Files.writeString(m.disk.resolve("var/lib/unnamed/data"), "left behind");
            Files.createDirectories(m.at("/srv/shadowed"));
            Sh.run("mount", "-t", "tmpfs", "other", m.at("/srv/shadowed").toString());
            Files.createDirectories(m.at("/srv/real"));
            Files.createSymbolicLink(m.at("/srv/link"), Path.of("real"));
            m.write("/etc/hostname", "box\n");
            Files.createDirectories(m.at("/etc/not-a-file"));
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/var/lib/both", { path = "/var/lib/strict", mode = "0700" }, "/srv/new",
                                   "/srv/shadowed", "/srv/link"]
                    files = ["/etc/ssh/host_key", "/etc/not-a-file"]
                    [[store]]
                    path = "/mnt/backup"
                    directories = ["/var/backup"]
                    """);

            Machine.Run status = m.lethe("status", "--json");
            assertThat(status.exit()).as(status.all()).isEqualTo(ExitCode.ENTRIES_FAILED);
            List<Object> lines = JsonTree.array(status.out());
            List<String> states = new ArrayList<>();
            for (Object line : lines) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) line;
                assertThat(object).containsOnlyKeys("path", "state", "detail");
                assertThat((String) object.get("detail")).isNotBlank();
                assertThat(STATES).as("state of %s", object).contains((String) object.get("state"));
                states.add(object.get("state") + " " + object.get("path"));
            }
            assertThat(states).containsExactlyInAnyOrder(
                    "active /var/log",
                    "pending /etc/ssh/host_key",
                    "missing /srv/new",
                    "conflict /var/lib/both",
                    "unsafe /srv/link",
                    "wrong-owner-mode /var/lib/strict",
                    "orphaned /var/lib/gone",               // still mounted; apply unmounts it
                    "orphaned /persist/var/lib/gone",       // its store directory, kept
                    "orphaned /persist/var/lib/unnamed",
                    "shadowed /srv/shadowed",
                    "wrong-type /etc/not-a-file",
                    "store-missing /var/backup");
            assertThat(states.stream().map(l -> l.split(" ")[0])).as("every state shows").containsAll(STATES);
        }
    }

    @Test
    void planJsonListsTheWorkThenNothingAfterApply() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/srv/app/data"]
                    """);
            Machine.Run fresh = m.lethe("plan", "--json");
            assertThat(fresh.exit()).as(fresh.all()).isZero();
            Map<String, Object> plan = JsonTree.object(fresh.out());
            assertThat(plan).containsEntry("changes", true).containsEntry("config", m.config.toString())
                    .containsEntry("root", m.root.toString());
            List<String> steps = new ArrayList<>();
            for (Object action : (List<?>) plan.get("actions")) {
                Map<?, ?> a = (Map<?, ?>) action;
                steps.add(a.get("action") + " " + a.get(a.containsKey("path") ? "path" : "target") + " " + a.get("entry"));
            }
            assertThat(steps).contains("mkdir /persist/var/log /var/log", "bind /var/log /var/log",
                    "mkdir /persist/srv /srv/app/data", "mkdir /persist/srv/app /srv/app/data",
                    "mkdir /persist/srv/app/data /srv/app/data", "mkdir /srv /srv/app/data", "bind /srv/app/data /srv/app/data");
            assertThat(steps.indexOf("mkdir /persist/var/log /var/log")).isLessThan(steps.indexOf("bind /var/log /var/log"));
            assertThat(m.mountsBelowRoot()).as("plan changes nothing").containsExactly("/persist");

            Machine.Run apply = m.lethe("apply");
            assertThat(apply.exit()).as(apply.all()).isZero();
            Machine.Run after = m.lethe("plan", "--json");
            assertThat(after.exit()).as(after.all()).isZero();
            assertThat(JsonTree.object(after.out())).containsEntry("changes", false).containsEntry("actions", List.of());
        }
    }

    @Test
    void applyAtBootPrintsExactlyOneLine() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log", "/var/lib/app"]
                    files = ["/etc/machine-id"]
                    """);
            m.write("/etc/machine-id", "abc\n");
            Machine.Run first = m.lethe("apply", "--boot", "system");
            assertThat(first.exit()).as(first.all()).isZero();
            assertThat(first.err()).isEmpty();
            assertThat(first.out().lines().toList()).hasSize(1);
            assertThat(first.out()).startsWith("lethe: 3 entries:").contains("changes");
            assertThat(first.out()).endsWith("\n");

            m.reboot();
            // The boot service's own path: a new JVM, the fast argument parser, standard streams.
            Machine.Run boot = m.letheProcess(Map.of(), "apply", "--boot", "system");
            assertThat(boot.exit()).as(boot.all()).isZero();
            assertThat(boot.err()).isEmpty();
            assertThat(boot.out().lines().toList()).hasSize(1).allMatch(l -> l.startsWith("lethe: 3 entries:"));
            assertThat(m.read("/etc/machine-id")).isEqualTo("abc\n");

            Machine.Run again = m.lethe("apply", "--boot", "system");
            assertThat(again.err()).isEmpty();
            assertThat(again.out().lines().toList()).hasSize(1);
            assertThat(again.out()).contains("nothing to do");
        }
    }

    // ---- methods and stages -----------------------------------------------------------------------

    @Test
    void aSymlinkEntryPointsIntoTheStoreAndSurvivesReboots() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = [{ path = "/var/lib/app", method = "symlink" }]
                    files = [{ path = "/etc/app.conf", method = "symlink" }]
                    """);
            m.write("/etc/app.conf", "setting = 1\n");
            Machine.Run apply = m.lethe("apply");
            assertThat(apply.exit()).as(apply.all()).isZero();
            assertLinked(m);
            assertThat(Files.readString(m.disk.resolve("etc/app.conf"))).isEqualTo("setting = 1\n");
            Files.writeString(m.disk.resolve("var/lib/app/state"), "kept");

            for (int boot = 0; boot < 2; boot++) {
                m.reboot();
                assertThat(Files.exists(m.at("/var/lib/app"), LinkOption.NOFOLLOW_LINKS)).isFalse();
                Machine.Run again = m.lethe("apply", "--boot", "system");
                assertThat(again.exit()).as(again.all()).isZero();
                assertLinked(m);
                // The link is absolute within the machine's root: resolved there, it reaches the store.
                assertThat(Files.readString(m.root.resolve(Files.readSymbolicLink(m.at("/var/lib/app")).toString().substring(1))
                        .resolve("state"))).isEqualTo("kept");
                assertThat(Files.readString(m.disk.resolve("etc/app.conf"))).isEqualTo("setting = 1\n");
            }
            assertThat(m.lethe("status").out()).containsPattern("active\\s+/var/lib/app\\s+symlinked to /persist/var/lib/app")
                    .containsPattern("active\\s+/etc/app.conf");
        }
    }

    private static void assertLinked(Machine m) throws IOException {
        assertThat(Files.isSymbolicLink(m.at("/var/lib/app"))).isTrue();
        assertThat(Files.readSymbolicLink(m.at("/var/lib/app"))).isEqualTo(Path.of("/persist/var/lib/app"));
        assertThat(Files.isSymbolicLink(m.at("/etc/app.conf"))).isTrue();
        assertThat(Files.readSymbolicLink(m.at("/etc/app.conf"))).isEqualTo(Path.of("/persist/etc/app.conf"));
        assertThat(m.mountsBelowRoot()).containsExactly("/persist");
    }

    @Test
    void applyAtInitrdDoesTheInitrdEntriesOnly() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/log"]
                    files = [{ path = "/etc/machine-id", stage = "initrd" }]
                    """);
            m.write("/etc/machine-id", "0123456789abcdef\n");

            Machine.Run initrd = m.lethe("apply", "--boot", "initrd");
            assertThat(initrd.exit()).as(initrd.all()).isZero();
            assertThat(initrd.out().lines().toList()).hasSize(1).allMatch(l -> l.startsWith("lethe: 1 entry:"));
            assertThat(m.mountsBelowRoot()).containsExactlyInAnyOrder("/persist", "/etc/machine-id");
            assertThat(Files.exists(m.disk.resolve("var/log"))).as("the system-stage entry is untouched").isFalse();
            assertThat(Files.readString(m.disk.resolve("etc/machine-id"))).isEqualTo("0123456789abcdef\n");

            Machine.Run system = m.lethe("apply", "--boot", "system");
            assertThat(system.exit()).as(system.all()).isZero();
            assertThat(m.mountsBelowRoot()).containsExactlyInAnyOrder("/persist", "/etc/machine-id", "/var/log");

            // Run again with the system up, the initrd stage still leaves the system stage's mounts alone.
            Machine.Run initrdAgain = m.lethe("apply", "--boot", "initrd");
            assertThat(initrdAgain.exit()).as(initrdAgain.all()).isZero();
            assertThat(initrdAgain.out()).contains("nothing to do");
            assertThat(m.mountsBelowRoot()).containsExactlyInAnyOrder("/persist", "/etc/machine-id", "/var/log");

            m.reboot();
            Machine.Run nextBoot = m.lethe("apply", "--boot", "initrd");
            assertThat(nextBoot.exit()).as(nextBoot.all()).isZero();
            assertThat(m.read("/etc/machine-id")).isEqualTo("0123456789abcdef\n");
            assertThat(m.mountsBelowRoot()).containsExactlyInAnyOrder("/persist", "/etc/machine-id");
        }
    }
}
