package dev.lethe.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.Config;
import dev.lethe.config.ConfigLoader;
import dev.lethe.diff.packages.PackageBaseline;
import dev.lethe.linux.ffm.FfmSyscalls;
import dev.lethe.model.AbsolutePath;
import dev.lethe.testing.Namespaces;
import dev.lethe.testing.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adoption-mode diff on a scratch root with a hand-built dpkg database. */
class RootWalkTest {

    @TempDir
    Path scratch;

    private Path root;

    private static String md5(String content) throws Exception {
        return HexFormat.of().formatHex(
                MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    private void file(String abs, String content) throws IOException {
        Path p = root.resolve(abs.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /**
     * One package, "base", installed with: /etc/app.conf and /etc/other.conf (conffiles),
     * /usr/bin/tool, /usr/bin/same, /usr/bin/was-file (with md5), /usr/bin/link (a symlink, no md5),
     * and the directories above them, /usr/share/doc and /proc.
     */
    @BeforeEach
    void buildRoot() throws Exception {
        root = Files.createDirectories(scratch.resolve("root"));
        Path info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), """
                Package: base
                Status: install ok installed
                Architecture: amd64
                Version: 1
                Conffiles:
                 /etc/app.conf %s
                 /etc/other.conf %s
                Description: the base system

                """.formatted(md5("a=1\n"), md5("o=1\n")));
        Files.writeString(info.resolve("base.list"), """
                /.
                /etc
                /etc/app.conf
                /etc/other.conf
                /proc
                /usr
                /usr/bin
                /usr/bin/tool
                /usr/bin/same
                /usr/bin/was-file
                /usr/bin/link
                /usr/share
                /usr/share/doc
                /usr/share/doc/base
                /usr/share/doc/base/copyright
                /var
                /var/lib
                """);
        Files.writeString(info.resolve("base.md5sums"), md5("tool v1") + "  usr/bin/tool\n"
                + md5("same") + "  usr/bin/same\n" + md5("file") + "  usr/bin/was-file\n");
        Files.writeString(info.resolve("base.conffiles"), "/etc/app.conf\n/etc/other.conf\n");

        file("/etc/other.conf", "o=1\n");
        file("/usr/bin/same", "same");
        Files.createSymbolicLink(root.resolve("usr/bin/link"), Path.of("same"));
        file("/usr/share/doc/base/copyright", "(c)");
        Files.createDirectories(root.resolve("proc"));
    }

    private Config config(String directories) throws Exception {
        Path toml = scratch.resolve("lethe.toml");
        Files.writeString(toml, """
                [[store]]
                path = "/persist"
                on-root = true
                directories = [%s]
                """.formatted(directories));
        return ConfigLoader.load(toml, root);
    }

    private RootWalk.Result walk(Config config, List<String> ignore) throws Exception {
        return RootWalk.of(new FfmSyscalls(), root.toString(), PackageBaseline.load(root),
                Filter.of(config.entries(), ignore, false));
    }

    private static Map<String, String> describe(RootWalk.Result result) {
        Map<String, String> described = new TreeMap<>(DiffTest.describe(result.changes()));
        result.counts().forEach((path, count) -> described.computeIfPresent(path.value(), (k, v) -> v + " " + count));
        return described;
    }

    @Test
    void packageFilesAsInstalledAreNotReported() throws Exception {
        file("/etc/app.conf", "a=1\n");
        file("/usr/bin/tool", "tool v1");
        file("/usr/bin/was-file", "file");
        RootWalk.Result result = walk(config(""), List.of("/var/lib/dpkg"));
        assertThat(result.changes()).isEmpty();
        assertThat(describe(walk(config(""), List.of()))).containsOnlyKeys("/var/lib/dpkg");
    }

    @Test
    void everyKindOfChangeIsReportedAndPersistedPathsAreLeftOut() throws Exception {
        file("/etc/app.conf", "a=2\n");                        // conffile edited
        file("/etc/extra", "x");                              // unowned file in an owned directory
        file("/usr/bin/tool", "tool v2 patched");             // package file modified
        file("/usr/bin/was-file/inside", "12345");            // package file turned into a directory
        file("/opt/app/bin/run", "0".repeat(100));             // a whole unowned tree
        file("/opt/app/lib/a", "aaaaa");
        file("/opt/app/lib/b", "");
        Files.createSymbolicLink(root.resolve("opt/app/root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("usr/bin/escape"), Path.of("/"));
        file("/var/lib/keep/data", "persisted");              // persisted: never reported
        file("/srv/site/public/index.html", "hello");         // unowned, but partly persisted
        file("/srv/site/keep/secret", "persisted too");
        Sh.run("rm", "-r", root.resolve("usr/share/doc").toString());  // package directory turned into a file
        file("/usr/share/doc", "doc");

        RootWalk.Result result = walk(config("\"/var/lib/keep\", \"/srv/site/keep\""), List.of("/var/lib/dpkg"));
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.ofEntries(
                Map.entry("/etc/app.conf", "modified config changed 4"),
                Map.entry("/etc/extra", "added added 1"),
                Map.entry("/opt", "added added 106 dir 8"),
                Map.entry("/srv", "added added 0 dir"),
                Map.entry("/srv/site", "added added 0 dir"),
                Map.entry("/srv/site/public", "added added 5 dir 2"),
                Map.entry("/usr/bin/escape", "added added 1"),
                Map.entry("/usr/bin/tool", "modified modified 15"),
                Map.entry("/usr/bin/was-file", "modified type changed 5 dir 2"),
                Map.entry("/usr/share/doc", "modified type changed 3"))));
        assertThat(result.changes()).extracting(Change::path).isSorted();
        assertThat(result.changes()).noneMatch(c -> c.path().startsWith(AbsolutePath.of("/var/lib/keep"))
                || c.path().startsWith(AbsolutePath.of("/srv/site/keep")));

        // The summary shows the whole new tree once, with everything below it.
        Summary.Result summary = Summary.of(result.changes(), Summary.DEFAULT_LIMIT);
        assertThat(summary.top().getFirst().path().value()).isEqualTo("/opt");
        assertThat(summary.top().getFirst().bytes()).isEqualTo(106);
    }

    @Test
    void aConffileWithoutRecordedChecksumIsShownAndAMissingOneIsNot() throws Exception {
        Files.writeString(root.resolve("var/lib/dpkg/status"), Files.readString(root.resolve("var/lib/dpkg/status"))
                .replace(" /etc/other.conf " + md5("o=1\n"), " /etc/other.conf newconffile"));
        RootWalk.Result result = walk(config(""), List.of("/var/lib/dpkg"));
        // /etc/app.conf, /usr/bin/tool and /usr/bin/was-file are gone: deletions are not reported.
        assertThat(describe(result)).containsExactlyEntriesOf(Map.of("/etc/other.conf", "modified config changed 4"));
    }

    @Test
    void aSymlinkIsNeverFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/everything"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../.."));
        Files.delete(root.resolve("usr/bin/link"));
        Files.createSymbolicLink(root.resolve("usr/bin/link"), Path.of("/etc"));  // owned, no md5: not compared
        assertThat(describe(walk(config(""), List.of("/var/lib/dpkg")))).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/etc/everything", "added added 1", "/etc/up", "added added 8")));
    }

    @Test
    void otherMountsAreSkippedAndReportedNowhere() throws Exception {
        Namespaces.assumeMountable();
        Path proc = root.resolve("proc");
        Path data = Files.createDirectories(root.resolve("mnt/data"));
        Path bind = Files.createDirectories(root.resolve("etc/bound"));
        Sh.run("mount", "-t", "tmpfs", "lethe-walk-proc", proc.toString());
        try {
            Sh.run("mount", "-t", "tmpfs", "lethe-walk-data", data.toString());
            try {
                Sh.run("mount", "--bind", root.resolve("usr").toString(), bind.toString());
                try {
                    Files.writeString(proc.resolve("not-ours"), "pseudo");
                    Files.writeString(data.resolve("not-ours"), "another filesystem");
                    assertThat(describe(walk(config(""), List.of("/var/lib/dpkg")))).containsExactlyEntriesOf(
                            Map.of("/mnt", "added added 0 dir 1"));
                } finally {
                    Sh.run("umount", bind.toString());
                }
            } finally {
                Sh.run("umount", data.toString());
            }
        } finally {
            Sh.run("umount", proc.toString());
        }
    }

    @Test
    void withoutAPackageDatabaseEverythingIsAdded() throws Exception {
        Path bare = Files.createDirectories(scratch.resolve("bare"));
        Files.createDirectories(bare.resolve("etc"));
        Files.writeString(bare.resolve("etc/hostname"), "box\n");
        Files.writeString(bare.resolve("top"), "t");
        RootWalk.Result result = RootWalk.of(new FfmSyscalls(), bare.toString(), PackageBaseline.load(bare),
                Filter.none());
        assertThat(describe(result)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "/etc", "added added 4 dir 2", "/top", "added added 1")));
    }
}
