package dev.lethe.cli;

import dev.lethe.testing.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.diff.DiffRig;
import dev.lethe.diff.DiffTestKnown;
import dev.lethe.testing.BtrfsMachine;
import dev.lethe.testing.Machine;
import dev.lethe.testing.Sh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** lethe diff from the command line, end to end on a real overlay. */
class DiffCommandTest {

    private static final String OVERLAY = """
            [root]
            strategy = "overlay"
            upper = "/overlay"
            [[store]]
            path = "/persist"
            directories = ["/var/log"]
            """;

    private record Run(int exit, String out, String err) {}

    /** {@code lethe diff ARGS} on the rig's root and config. */
    private static Run lethe(DiffRig rig, String... args) {
        List<String> diff = new ArrayList<>(List.of("diff"));
        diff.addAll(List.of(args));
        return command(rig, diff.toArray(String[]::new));
    }

    /** {@code lethe ARGS} (any command) on the rig's root and config. */
    private static Run command(DiffRig rig, String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--root", rig.root.toString(), "--config", rig.config.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** The records of {@code lethe diff --json}: path → "kind what bytes dir?", as {@link dev.lethe.diff.DiffTestKnown} has them. */
    private static Map<String, String> records(Run run) throws Exception {
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        Map<String, String> records = new TreeMap<>();
        for (Object element : JsonTree.array(run.out())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> node = (Map<String, Object>) element;
            assertThat(node.keySet()).containsExactly("path", "kind", "what", "bytes", "directory");
            records.put((String) node.get("path"), node.get("kind") + " " + node.get("what") + " "
                    + node.get("bytes") + (Boolean.TRUE.equals(node.get("directory")) ? " dir" : ""));
        }
        return records;
    }

    @Test
    void textShowsTheLargestDirectoriesAndSuggestsConfigLines() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            rig.makeKnownChanges();
            Run run = lethe(rig, "--suggest", "--ignore", "/var/cache/**");
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            String out = run.out();
            assertThat(out).contains("/var/lib/foo", "/etc/dirB/y", "/etc/dirC", "17 paths the next boot will forget.")
                    .contains("{ path = \"/var/lib/foo\", owner = \"alice\", group = \"alice\", mode = \"0750\" },")
                    .contains("1005 B       4 changes  /var/lib/foo\n", "  20 B       9 changes  /etc\n", "... and 4 more")
                    .doesNotContain("/var/log", "/var/cache");
            assertThat(out.indexOf("/var/lib/foo")).isLessThan(out.indexOf("/etc"));
            // Each change's word once: the detail names the kind too.
            assertThat(out).contains("      added          /var/lib/foo/\n", "      modified       /etc/hostname\n",
                    "      metadata       /etc/mode-me\n").doesNotContain("added    added", "modified modified");
            assertThat(lethe(rig).out()).contains("/var/cache/app", "19 paths");
            assertThat(lethe(rig, "--all", "--ignore", "/var/cache/**").out()).contains("/var/cache/app", "19 paths");
        }
    }

    @Test
    void jsonHasOneRecordPerChange() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            rig.makeKnownChanges();
            assertThat(records(lethe(rig, "--json", "--ignore", "/var/cache/**")))
                    .containsExactlyEntriesOf(DiffTestKnown.KNOWN);
        }
    }

    @Test
    void theConfigsIgnoreGlobsHidePathsAndAllShowsThem() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY + """
                    [diff]
                    ignore = ["/var/cache/**", "/tmp/**"]
                    """));
            rig.makeKnownChanges();
            assertThat(records(lethe(rig, "--json"))).containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            assertThat(lethe(rig).out()).contains("17 paths the next boot will forget.").doesNotContain("/var/cache");

            Map<String, String> all = new TreeMap<>(DiffTestKnown.KNOWN);
            all.put("/var/cache/app", "added added 0 dir");
            all.put("/var/cache/app/blob", "added added 2");
            assertThat(records(lethe(rig, "--json", "--all"))).containsExactlyEntriesOf(all);

            // --ignore adds to the config's globs.
            Map<String, String> fewer = new TreeMap<>(DiffTestKnown.KNOWN);
            fewer.keySet().removeIf(path -> path.startsWith("/etc/dirB/"));
            assertThat(records(lethe(rig, "--json", "--ignore", "/etc/dirB/**"))).containsExactlyEntriesOf(fewer);
        }
    }

    @Test
    void aDoubleStarGlobStillReportsTheDirectoryItselfWhenItChanged() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY + """
                    [diff]
                    ignore = ["/var/cache/**"]
                    """));
            rig.sh("mkdir -p var/cache/app && echo c > var/cache/app/blob && echo log > var/log/syslog");
            Run quiet = lethe(rig);
            assertThat(quiet.out()).as("the blank root's /var/cache, copied up on the way to its contents, is no change")
                    .contains("Nothing to forget: every change on the root is persisted or ignored.");

            rig.sh("chmod 0700 var/cache");
            assertThat(records(lethe(rig, "--json"))).containsExactlyEntriesOf(Map.of("/var/cache", "modified metadata 0 dir"));
            assertThat(records(lethe(rig, "--json", "--ignore", "/var/cache"))).isEmpty();
        }
    }

    @Test
    void anArchiveShowsWhatItsBootChangedAndTheNewBootStartsEmpty() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            rig.makeKnownChanges();
            Sh.run("umount", rig.sysroot.toString());  // shutdown
            Run wipe = command(rig, "wipe");
            assertThat(wipe.exit()).as(wipe.out() + wipe.err()).isZero();

            Run text = command(rig, "archive", "list");
            assertThat(text.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header)
                    .matches("ID\\s+CREATED\\s+AGE\\s+STRATEGY\\s+SIZE(\\s+MARK)?"));
            Run list = command(rig, "archive", "list", "--json");
            assertThat(list.exit()).as(list.err()).isZero();
            List<Object> archives = JsonTree.array(list.out());
            assertThat(archives).hasSize(1);
            @SuppressWarnings("unchecked")
            String id = (String) ((Map<String, Object>) archives.getFirst()).get("id");

            assertThat(records(lethe(rig, "--json", "--archive", id, "--ignore", "/var/cache/**")))
                    .containsExactlyEntriesOf(DiffTestKnown.KNOWN);
            assertThat(records(lethe(rig, "--json"))).as("the new boot's upper is empty").isEmpty();
            assertThat(lethe(rig).out()).contains("Nothing to forget");

            Run unknown = lethe(rig, "--archive", "19700101T000000Z");
            assertThat(unknown.exit()).as(unknown.out() + unknown.err()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(unknown.err()).contains("no archive 19700101T000000Z; lethe archive list shows them");
            assertThat(unknown.out()).isEmpty();
        }
    }

    @Test
    void anUntouchedBootSaysSo() throws Exception {
        try (DiffRig rig = new DiffRig()) {
            rig.boot(rig.config(OVERLAY));
            Run run = lethe(rig);
            assertThat(run.exit()).isZero();
            assertThat(run.out()).contains("Nothing to forget");
            assertThat(JsonTree.array(lethe(rig, "--json").out())).isEmpty();
        }
    }

    private static String md5(String content) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * A machine with strategy "none" (no [root]) and a small dpkg database: package "base" owns /etc,
     * /etc/group (a conffile), /etc/passwd, /usr/bin/tool, /var/lib and /tmp. The store is a mount.
     */
    private static Machine adoptionMachine() throws Exception {
        Machine m = new Machine(Machine.Disk.TMPFS);
        m.config("""
                [[store]]
                path = "/persist"
                directories = ["/var/lib/keep"]
                [store.users.alice]
                directories = ["Documents"]
                """);
        m.write("/var/lib/dpkg/status", """
                Package: base
                Status: install ok installed
                Architecture: amd64
                Version: 1
                Conffiles:
                 /etc/group %s
                Description: the base system

                """.formatted(md5(m.read("/etc/group"))));
        m.write("/var/lib/dpkg/info/base.list", """
                /.
                /etc
                /etc/group
                /etc/passwd
                /home
                /tmp
                /usr
                /usr/bin
                /usr/bin/tool
                /var
                /var/lib
                /var/lib/dpkg
                /var/lib/dpkg/info
                """);
        m.write("/var/lib/dpkg/info/base.md5sums", md5("tool v1") + "  usr/bin/tool\n");
        m.write("/usr/bin/tool", "tool v1");
        // The changes: a new tree, an edited conffile, a patched binary, a stray file; and what is persisted.
        m.write("/var/lib/app/db/big", "x".repeat(3000));
        m.write("/var/lib/app/state", "s".repeat(100));
        m.write("/etc/group", m.read("/etc/group") + "extra:x:1001:\n");
        m.write("/usr/bin/tool", "tool v2 patched");
        m.write("/tmp/junk", "junk");
        m.write("/var/lib/keep/data", "kept");
        m.write("/home/alice/Documents/notes.txt", "kept too");
        m.write("/persist/on-the-store", "another filesystem");
        return m;
    }

    @Test
    void strategyNoneListsWhatNoPackageOwnsUnchangedInText() throws Exception {
        try (Machine m = adoptionMachine()) {
            Machine.Run run = m.lethe("diff", "--suggest");
            assertThat(run.exit()).as(run.all()).isZero();
            String out = run.out();
            assertThat(out).contains(" 3.0 KiB       4 changes  /var/lib/app\n", "/etc/group", "config changed",
                            "/usr/bin/tool", "/tmp/junk", "{ path = \"/var/lib/app\", mode = \"0755\" },")
                    .doesNotContain("/var/lib/keep", "Documents", "/persist", "/etc/passwd", "No package database");
            assertThat(out.indexOf("/var/lib/app")).isLessThan(out.indexOf("/usr/bin"));
            // Paths: /var/lib/app (4), /etc/group, /usr/bin/tool, /tmp/junk, /home/alice (itself), the dpkg files (3).
            assertThat(out).contains("11 paths the next boot will forget.");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonWithSuggestIsTheEnvelopeWithTheChangesAndTheSuggestionsOnlyJsonOnStdout() throws Exception {
        try (Machine m = adoptionMachine()) {
            Machine.Run run = m.lethe("diff", "--json", "--suggest");
            assertThat(run.exit()).as(run.all()).isZero();
            Map<String, Object> document = JsonTree.object(run.out());  // strict: nothing else on stdout
            assertThat(document.keySet()).containsExactly("version", "changes", "suggestions");
            assertThat(document.get("version")).isEqualTo(1L);
            List<Object> changes = (List<Object>) document.get("changes");
            assertThat(changes).extracting(c -> ((Map<String, Object>) c).get("path"))
                    .contains("/var/lib/app", "/etc/group", "/usr/bin/tool").doesNotContain("/var/lib/keep");
            assertThat((List<Object>) document.get("suggestions")).contains(
                    Map.of("kind", "directory", "toml", "{ path = \"/var/lib/app\", mode = \"0755\" }"));
            // Without --suggest the shape scripts already parse: the bare array, the same records.
            assertThat(JsonTree.array(m.lethe("diff", "--json").out())).isEqualTo(changes);
        }
    }

    @Test
    void strategyNoneJsonHasOneRecordPerChange() throws Exception {
        try (Machine m = adoptionMachine()) {
            Machine.Run run = m.lethe("diff", "--json");
            assertThat(run.exit()).as(run.all()).isZero();
            Map<String, String> records = new TreeMap<>();
            for (Object element : JsonTree.array(run.out())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> node = (Map<String, Object>) element;
                assertThat(node.keySet()).containsExactly("path", "kind", "what", "bytes", "directory", "paths");
                records.put((String) node.get("path"), node.get("kind") + " " + node.get("what") + " "
                        + node.get("bytes") + (Boolean.TRUE.equals(node.get("directory")) ? " dir" : "")
                        + " " + node.get("paths"));
            }
            long status = java.nio.file.Files.size(m.at("/var/lib/dpkg/status"));
            assertThat(records).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                    "/etc/group", "modified config changed " + java.nio.file.Files.size(m.at("/etc/group")) + " 1",
                    "/home/alice", "added added 0 dir 1",
                    "/tmp/junk", "added added 4 1",
                    "/usr/bin/tool", "modified modified 15 1",
                    "/var/lib/app", "added added 3100 dir 4",
                    "/var/lib/dpkg/info/base.list", "added added "
                            + java.nio.file.Files.size(m.at("/var/lib/dpkg/info/base.list")) + " 1",
                    "/var/lib/dpkg/info/base.md5sums", "added added 47 1",
                    "/var/lib/dpkg/status", "added added " + status + " 1")));
        }
    }

    @Test
    void strategyNoneKeepsItsHashCacheInTheFirstStoreOnly() throws Exception {
        try (Machine m = adoptionMachine()) {
            assertThat(m.lethe("diff").exit()).isZero();
            java.nio.file.Path cache = m.at("/persist/.lethe/" + dev.lethe.diff.HashCache.FILE_NAME);
            assertThat(java.nio.file.Files.getPosixFilePermissions(cache))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            assertThat(java.nio.file.Files.getPosixFilePermissions(cache.getParent()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            // A second run, with the cache there, reports the same and never shows the store.
            assertThat(m.lethe("diff").out()).contains("11 paths the next boot will forget.").doesNotContain("/persist");
        }
    }

    @Test
    void everySuggestionPassesCheckWhenPastedIntoTheConfig() throws Exception {
        try (Machine m = adoptionMachine()) {
            String head = """
                    [[store]]
                    path = "/persist"
                    """;
            String users = """
                    [store.users.alice]
                    directories = ["Documents"]
                    """;
            m.config(head + users);
            // Besides what the packages own: the kernel's and early boot's places, root's home, apt's lists.
            m.write("/proc/1/status", "not a real proc");
            m.write("/sys/kernel/x", "x");
            m.write("/dev/null-ish", "x");
            m.write("/run/lock/x", "x");
            m.write("/root/.bash_history", "ls");
            m.write("/etc/motd", "hello");
            m.write("/var/lib/apt/lists/lock", "");
            m.write("/var/lib/apt/lists/deb.debian.org_InRelease", "r".repeat(500));
            m.write("/srv/app/data", "d".repeat(100));
            Machine.Run run = m.lethe("diff", "--suggest");
            assertThat(run.exit()).as(run.all()).isZero();
            String out = run.out();
            assertThat(out).contains("To keep them, add to a [[store]]:");
            String pasted = out.substring(out.indexOf("To keep them, add to a [[store]]:\n") + 34);
            for (String never : List.of("\"/proc", "\"/sys", "\"/dev", "\"/run", "\"/persist", "\"/etc\"", "\"/var\"",
                    "\"/home\"", "\"/root\"", "\"/home/alice\"", "lock", "/var/lib/dpkg")) {
                assertThat(pasted).as(out).doesNotContain(never);
            }
            m.config(head + pasted + users);
            Machine.Run check = m.lethe("check");
            assertThat(check.exit()).as(pasted + check.all()).isZero();
        }
    }

    @Test
    void aStoreThatIsNotMountedGetsNoHashCache() throws Exception {
        try (Machine m = new Machine(Machine.Disk.ON_ROOT)) {
            // /persist is a plain directory on the root and the config does not say on-root = true
            // (written directly: Machine.config adds it for this kind of disk).
            java.nio.file.Files.writeString(m.config, """
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/keep"]
                    """);
            m.write("/var/lib/app/state", "s");
            Machine.Run run = m.lethe("diff");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(m.at("/persist/.lethe")).doesNotExist();
            assertThat(run.err()).containsOnlyOnce("without its hash cache").contains("/persist is not a mount point");
            assertThat(run.out()).contains("paths the next boot will forget");
            // Declared on the root, it passes apply's check and holds the cache.
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/keep"]
                    """);
            Machine.Run onRoot = m.lethe("diff");
            assertThat(onRoot.err()).as(onRoot.all()).doesNotContain("hash cache");
            assertThat(onRoot.exit()).as(onRoot.all()).isZero();
            assertThat(m.at("/persist/.lethe/" + dev.lethe.diff.HashCache.FILE_NAME)).exists();
        }
    }

    /**
     * Runs lethe diff in another process as root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH,
     * so that permission bits apply to it as to any file's owner.
     */
    private static Machine.Run withoutReadPrivileges(Machine m, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv",
                "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"));
        command.addAll(ChildJvm.command("dev.lethe.cli.Main"));
        command.addAll(List.of("diff", "--root", m.root.toString(), "--config", m.config.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Machine.Run(process.waitFor(), out, err);
    }

    @Test
    void pathsThatMayNotBeReadAreCountedInTextAndListedInJson() throws Exception {
        try (Machine m = adoptionMachine()) {
            assumeTrue(dev.lethe.testing.Sh.run("id", "-u").strip().equals("0"), "drops root's read privileges");
            m.write("/opt/locked/secret", "s");
            dev.lethe.testing.Sh.run("chmod", "000", m.at("/opt/locked").toString(), m.at("/usr/bin/tool").toString());

            Machine.Run text = withoutReadPrivileges(m);
            assertThat(text.exit()).as(text.all()).isZero();
            assertThat(text.out()).contains("/opt/locked", "/var/lib/app")
                    // /home/alice too: mode 0700, owned by alice
                    .contains("3 paths could not be read (/home/alice, /opt/locked, /usr/bin/tool); run as root to include them.");

            Machine.Run json = withoutReadPrivileges(m, "--json");
            assertThat(json.exit()).as(json.all()).isZero();
            Map<String, String> unreadable = new TreeMap<>();
            List<String> toolRecords = new ArrayList<>();
            for (Object element : JsonTree.array(json.out())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> node = (Map<String, Object>) element;
                if (node.get("path").equals("/usr/bin/tool")) {
                    toolRecords.add((String) node.get("kind"));
                }
                if (node.get("kind").equals("unreadable")) {
                    unreadable.put((String) node.get("path"), node.get("what") + " " + node.get("directory"));
                }
            }
            assertThat(unreadable).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                    "/home/alice", "EACCES, permission denied true",
                    "/opt/locked", "EACCES, permission denied true",
                    "/usr/bin/tool", "EACCES, permission denied false")));
            assertThat(toolRecords).as("not read, so not called modified either").containsExactly("unreadable");

            // With its privileges, root reads them all, and the patched tool shows again.
            assertThat(m.lethe("diff").out()).doesNotContain("could not be read").contains("/usr/bin/tool");
        }
    }

    @Test
    void aStoreOnTheRootIsNeverReportedNorWhatItHolds() throws Exception {
        try (Machine m = new Machine(Machine.Disk.ON_ROOT)) {
            m.config("""
                    [[store]]
                    path = "/persist"
                    directories = ["/var/lib/keep"]
                    """);
            m.write("/persist/var/lib/keep/data", "kept in the store\n");
            m.write("/persist/.lethe/diff-hashes", "lethe's own record\n");
            m.write("/var/lib/lost/data", "forgotten\n");

            Machine.Run run = m.lethe("diff", "--json");

            assertThat(run.exit()).as(run.all()).isZero();
            // No package database here: /var is new as a whole, with /var/lib/lost in it; the store is not.
            assertThat(run.out()).contains("\"path\" : \"/var\"").doesNotContain("/persist");
        }
    }
}
