package dev.lethe.diff.packages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.diff.packages.Ownership.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageBaselineTest {

    @TempDir
    Path root;

    private PackageBaseline baseline;

    static String md5(String content) throws Exception {
        return HexFormat.of().formatHex(
                MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    private void file(String abs, String content) throws IOException {
        Path p = root.resolve(abs.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private Path host(String abs) {
        return root.resolve(abs.substring(1));
    }

    /**
     * A merged-/usr root with three packages:
     * coreutils (installed, lists /bin/ls in the old spelling, one conffile),
     * libc6:amd64 (installed, Multi-Arch: same, info files "libc6:amd64.*", ships /usr/bin/ldd
     * which is diverted to /usr/bin/ldd.real by "localtool"), and oldpkg (deinstall ok
     * config-files, still has info files).
     */
    @BeforeEach
    void buildRoot() throws Exception {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Path info = Files.createDirectories(root.resolve("var/lib/dpkg/info"));

        file("/usr/bin/ls", "ls binary");
        file("/usr/bin/cat", "cat binary, modified by the admin");
        file("/etc/coreutils.conf", "default=1\n");
        file("/usr/lib/x86_64-linux-gnu/libc.so.6", "libc");
        file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n# edited\n");
        file("/usr/bin/ldd.real", "ldd from libc6");
        file("/usr/bin/ldd", "#!/bin/sh\n# wrapper from localtool\n");
        Files.createSymbolicLink(root.resolve("usr/lib/x86_64-linux-gnu/libc.so"), Path.of("libc.so.6"));
        file("/usr/share/oldpkg/data", "old");
        file("/etc/oldpkg.conf", "old conf");
        file("/usr/bin/unowned", "made by hand");

        String status = """
                Package: coreutils
                Essential: yes
                Status: install ok installed
                Priority: required
                Architecture: amd64
                Version: 9.1-1
                Conffiles:
                 /etc/coreutils.conf %s
                Description: GNU core utilities
                 This package contains the basic file, shell and text
                 manipulation utilities.

                Package: libc6
                Status: install ok installed
                Architecture: amd64
                Multi-Arch: same
                Version: 2.36-9
                Conffiles:
                 /etc/ld.so.conf %s
                 /etc/gone.conf 00000000000000000000000000000000 obsolete
                Description: GNU C Library

                Package: oldpkg
                Status: deinstall ok config-files
                Architecture: all
                Version: 1.0
                Conffiles:
                 /etc/oldpkg.conf %s
                Description: removed package

                """.formatted(md5("default=1\n"), md5("include /etc/ld.so.conf.d/*.conf\n"), md5("old conf"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), status);

        Files.writeString(info.resolve("coreutils.list"), """
                /.
                /bin
                /bin/ls
                /bin/cat
                /etc
                /etc/coreutils.conf
                /usr
                /usr/bin
                """);
        Files.writeString(info.resolve("coreutils.md5sums"),
                md5("ls binary") + "  bin/ls\n" + md5("cat binary") + "  bin/cat\n");
        Files.writeString(info.resolve("coreutils.conffiles"), "/etc/coreutils.conf\n");

        Files.writeString(info.resolve("libc6:amd64.list"), """
                /.
                /etc
                /etc/ld.so.conf
                /usr
                /usr/bin
                /usr/bin/ldd
                /usr/lib
                /usr/lib/x86_64-linux-gnu
                /usr/lib/x86_64-linux-gnu/libc.so.6
                /usr/lib/x86_64-linux-gnu/libc.so
                """);
        Files.writeString(info.resolve("libc6:amd64.md5sums"),
                md5("libc") + "  usr/lib/x86_64-linux-gnu/libc.so.6\n" + md5("ldd from libc6") + "  usr/bin/ldd\n");
        Files.writeString(info.resolve("libc6:amd64.conffiles"), "/etc/ld.so.conf\n");

        Files.writeString(info.resolve("oldpkg.list"), "/.\n/usr\n/usr/share\n/usr/share/oldpkg\n/usr/share/oldpkg/data\n");
        Files.writeString(info.resolve("oldpkg.md5sums"), md5("old") + "  usr/share/oldpkg/data\n");
        Files.writeString(info.resolve("oldpkg.conffiles"), "/etc/oldpkg.conf\n");

        Files.writeString(root.resolve("var/lib/dpkg/diversions"),
                "/usr/bin/ldd\n/usr/bin/ldd.real\nlocaltool\n");

        baseline = PackageBaseline.load(root);
    }

    @Test
    void ownerClassifiesEveryKind() throws Exception {
        assertThat(baseline.managers()).containsExactly("dpkg");
        assertThat(baseline.unsupportedManagers()).isEmpty();

        assertThat(baseline.owner("/usr/bin/ls"))
                .isEqualTo(new Ownership(Kind.OWNED_FILE, md5("ls binary"), "coreutils"));
        assertThat(baseline.owner("/etc/coreutils.conf"))
                .isEqualTo(new Ownership(Kind.CONFFILE, md5("default=1\n"), "coreutils"));
        assertThat(baseline.owner("/etc/ld.so.conf").kind()).isEqualTo(Kind.CONFFILE);
        assertThat(baseline.owner("/etc/ld.so.conf").pkg()).isEqualTo("libc6");
        assertThat(baseline.owner("/etc/gone.conf").kind()).isEqualTo(Kind.CONFFILE);
        assertThat(baseline.owner("/usr/bin").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        assertThat(baseline.owner("/usr/lib/x86_64-linux-gnu").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        assertThat(baseline.owner("/").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        assertThat(baseline.owner("/etc").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        // a symlink shipped by a package: owned, no checksum recorded
        Ownership link = baseline.owner("/usr/lib/x86_64-linux-gnu/libc.so");
        assertThat(link.kind()).isEqualTo(Kind.OWNED_FILE);
        assertThat(link.md5()).isNull();

        assertThat(baseline.owner("/usr/bin/unowned")).isEqualTo(Ownership.NOT_OWNED);
        assertThat(baseline.owner("/usr/bin/unowned").owned()).isFalse();
        assertThat(baseline.owner("/usr/bin/ls").owned()).isTrue();
    }

    @Test
    void multiArchInfoFilesAreRead() throws Exception {
        assertThat(baseline.owner("/usr/lib/x86_64-linux-gnu/libc.so.6"))
                .isEqualTo(new Ownership(Kind.OWNED_FILE, md5("libc"), "libc6"));
    }

    @Test
    void unchangedExactlyWhereContentMatches() {
        assertThat(baseline.unchanged("/usr/bin/ls", host("/usr/bin/ls"))).isTrue();
        assertThat(baseline.unchanged("/usr/lib/x86_64-linux-gnu/libc.so.6",
                host("/usr/lib/x86_64-linux-gnu/libc.so.6"))).isTrue();
        assertThat(baseline.unchanged("/etc/coreutils.conf", host("/etc/coreutils.conf"))).isTrue();
        assertThat(baseline.unchanged("/usr/bin", host("/usr/bin"))).isTrue();
        assertThat(baseline.unchanged("/usr/lib/x86_64-linux-gnu/libc.so",
                host("/usr/lib/x86_64-linux-gnu/libc.so"))).isTrue();

        assertThat(baseline.unchanged("/usr/bin/cat", host("/usr/bin/cat"))).as("modified file").isFalse();
        assertThat(baseline.unchanged("/etc/ld.so.conf", host("/etc/ld.so.conf"))).as("modified conffile").isFalse();
        assertThat(baseline.unchanged("/usr/bin/unowned", host("/usr/bin/unowned"))).isFalse();
        assertThat(baseline.unchanged("/etc/gone.conf", host("/etc/gone.conf"))).as("missing").isFalse();
    }

    @Test
    void typeChangesAreChanges() throws Exception {
        // a file replaced by a symlink to identical content, and a directory replaced by a file
        Files.delete(host("/usr/bin/ls"));
        file("/usr/bin/ls.copy", "ls binary");
        Files.createSymbolicLink(host("/usr/bin/ls"), Path.of("ls.copy"));
        assertThat(baseline.unchanged("/usr/bin/ls", host("/usr/bin/ls"))).isFalse();

        Files.delete(host("/usr/lib/x86_64-linux-gnu/libc.so"));
        Files.createDirectory(host("/usr/lib/x86_64-linux-gnu/libc.so"));
        assertThat(baseline.unchanged("/usr/lib/x86_64-linux-gnu/libc.so",
                host("/usr/lib/x86_64-linux-gnu/libc.so"))).isFalse();
    }

    @Test
    void notInstalledPackagesOwnNothing() {
        assertThat(baseline.owner("/usr/share/oldpkg/data").owned()).isFalse();
        assertThat(baseline.owner("/usr/share/oldpkg").owned()).isFalse();
        assertThat(baseline.owner("/etc/oldpkg.conf").owned()).isFalse();
        assertThat(baseline.unchanged("/usr/share/oldpkg/data", host("/usr/share/oldpkg/data"))).isFalse();
    }

    @Test
    void divertedFileIsOwnedAtItsNewPlace() throws Exception {
        assertThat(baseline.owner("/usr/bin/ldd.real"))
                .isEqualTo(new Ownership(Kind.OWNED_FILE, md5("ldd from libc6"), "libc6"));
        assertThat(baseline.unchanged("/usr/bin/ldd.real", host("/usr/bin/ldd.real"))).isTrue();
        // the original name now holds localtool's file, which no installed package lists
        assertThat(baseline.owner("/usr/bin/ldd").owned()).isFalse();
    }

    @Test
    void ownedChildrenAreListedPerDirectoryInTheirCanonicalSpelling() {
        assertThat(baseline.ownedChildren("/usr/bin")).containsExactlyInAnyOrder(
                "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/ldd.real");  // listed as /bin/ls, /bin/cat; ldd diverted
        assertThat(baseline.ownedChildren("/bin")).as("the link itself, which a walk never lists through").isEmpty();
        assertThat(baseline.ownedChildren("/")).containsExactlyInAnyOrder("/bin", "/etc", "/usr");
        assertThat(baseline.ownedChildren("/usr/share")).as("only installed packages own paths").isEmpty();
        assertThat(baseline.ownedChildren("/usr/bin/ls")).isEmpty();
        assertThat(baseline.ownedPaths()).hasSize(baseline.size()).contains("/", "/bin", "/usr/bin/ldd.real")
                .doesNotContain("/bin/ls", "/usr/bin/ldd");
        // Every owned path but "/" is a child of exactly one directory.
        long filed = baseline.ownedPaths().stream().filter(path -> !path.equals("/"))
                .filter(path -> baseline.ownedChildren(path.substring(0, Math.max(1, path.lastIndexOf('/')))).contains(path))
                .count();
        assertThat(filed).isEqualTo(baseline.size() - 1);
    }

    @Test
    void mergedUsrSpellingsMatch() throws Exception {
        assertThat(PackageBaseline.canonical("/bin/ls", root)).isEqualTo("/usr/bin/ls");
        assertThat(PackageBaseline.canonical("/bin", root)).as("the link itself").isEqualTo("/bin");
        assertThat(PackageBaseline.canonical("//usr/./bin/../bin/ls/", root)).isEqualTo("/usr/bin/ls");
        assertThat(baseline.owner("/bin/ls")).isEqualTo(baseline.owner("/usr/bin/ls"));
        assertThat(baseline.owner("/usr/bin/cat").owned()).isTrue(); // listed as /bin/cat
        assertThat(baseline.unchanged("/bin/ls", host("/usr/bin/ls"))).isTrue();
    }

    @Test
    void linksNeverLeaveTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("sbin"), Path.of("/usr/bin"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("../../../../usr/lib"));
        Files.createSymbolicLink(root.resolve("lib64"), Path.of("lib"));
        assertThat(PackageBaseline.canonical("/sbin/ls", root)).isEqualTo("/usr/bin/ls");
        assertThat(PackageBaseline.canonical("/lib/x", root)).isEqualTo("/usr/lib/x");
        assertThat(PackageBaseline.canonical("/lib64/x", root)).as("chained").isEqualTo("/usr/lib/x");
        assertThat(PackageBaseline.load(root).owner("/lib/x86_64-linux-gnu/libc.so.6").kind())
                .isEqualTo(Kind.OWNED_FILE);
    }

    @Test
    void sharedPathsResolveInStatusOrderHoweverManyPackagesAreReadAtOnce(@TempDir Path r) throws Exception {
        // The lists are read on several threads; which package's record wins must not depend on that.
        Path info = Files.createDirectories(r.resolve("var/lib/dpkg/info"));
        StringBuilder status = new StringBuilder();
        for (int p = 0; p < 200; p++) {
            status.append("Package: p").append(p).append("\nStatus: install ok installed\nArchitecture: all\n");
            if (p == 150) {
                status.append("Conffiles:\n /etc/shared.conf ").append(md5("conf")).append("\n");
            }
            status.append('\n');
            Files.writeString(info.resolve("p" + p + ".list"), "/usr/share/shared\n/etc/shared.conf\n/usr/share/p" + p + "\n");
            Files.writeString(info.resolve("p" + p + ".md5sums"), md5("v" + p) + "  usr/share/shared\n");
        }
        Files.writeString(r.resolve("var/lib/dpkg/status"), status);
        for (int round = 0; round < 5; round++) {
            PackageBaseline b = PackageBaseline.load(r);
            assertThat(b.owner("/usr/share/shared")).isEqualTo(new Ownership(Kind.OWNED_FILE, md5("v0"), "p0"));
            // a conffile stays a conffile whoever else lists it, with the md5 its status records
            assertThat(b.owner("/etc/shared.conf")).isEqualTo(new Ownership(Kind.CONFFILE, md5("conf"), "p0"));
            assertThat(b.owner("/usr/share/p199").pkg()).isEqualTo("p199");
            assertThat(b.size()).isEqualTo(200 + 2);  // each package's own path and the two shared ones
        }
    }

    @Test
    void noDatabaseMeansEmptyBaseline(@TempDir Path empty) {
        PackageBaseline b = PackageBaseline.load(empty);
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.managers()).isEmpty();
        assertThat(b.owner("/usr/bin/ls")).isEqualTo(Ownership.NOT_OWNED);
        assertThat(PackageBaseline.load(empty.resolve("missing")).isEmpty()).isTrue();
    }

    @Test
    void rpmIsDetectedAsUnsupported(@TempDir Path r) throws Exception {
        Files.createDirectories(r.resolve("var/lib/rpm"));
        PackageBaseline b = PackageBaseline.load(r);
        assertThat(b.unsupportedManagers()).containsExactly("rpm");
        assertThat(b.isEmpty()).isTrue();
    }

    @Test
    void pacmanFilesAndBackups(@TempDir Path r) throws Exception {
        Path pkg = Files.createDirectories(r.resolve("var/lib/pacman/local/nano-8.0-1"));
        Files.writeString(pkg.resolve("files"), """
                %%FILES%%
                etc/
                etc/nanorc
                usr/
                usr/bin/
                usr/bin/nano

                %%BACKUP%%
                etc/nanorc\t%s

                """.formatted(md5("set x\n")).replace("%%", "%"));
        Files.createDirectories(r.resolve("etc"));
        Files.writeString(r.resolve("etc/nanorc"), "set x\n");
        PackageBaseline b = PackageBaseline.load(r);
        assertThat(b.managers()).containsExactly("pacman");
        assertThat(b.owner("/etc/nanorc")).isEqualTo(new Ownership(Kind.CONFFILE, md5("set x\n"), "nano-8.0-1"));
        assertThat(b.owner("/usr/bin").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        assertThat(b.owner("/usr/bin/nano").kind()).isEqualTo(Kind.OWNED_FILE);
        assertThat(b.unchanged("/etc/nanorc", r.resolve("etc/nanorc"))).isTrue();
    }

    @Test
    void thisMachinesDpkgDatabase() throws Exception {
        Path real = Path.of("/");
        assumeTrue(Files.isRegularFile(Path.of("/var/lib/dpkg/status"))
                && Files.isRegularFile(Path.of("/var/lib/dpkg/info/dpkg.md5sums")));
        long t0 = System.nanoTime();
        PackageBaseline b = PackageBaseline.load(real);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println(b + " loaded in " + ms + " ms");
        assertThat(b.managers()).contains("dpkg");
        assertThat(b.size()).isGreaterThan(1000);
        Ownership dpkg = b.owner("/usr/bin/dpkg");
        assertThat(dpkg.kind()).isEqualTo(Kind.OWNED_FILE);
        assertThat(dpkg.pkg()).isEqualTo("dpkg");
        assertThat(dpkg.md5()).hasSize(32);
        assertThat(b.unchanged("/usr/bin/dpkg", Path.of("/usr/bin/dpkg"))).isTrue();
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(Path.of("/usr/bin/dpkg")))))
                .isEqualTo(dpkg.md5());
        assertThat(b.owner("/usr/bin").kind()).isEqualTo(Kind.OWNED_DIRECTORY);
        assertThat(b.unchanged("/usr/bin", Path.of("/usr/bin"))).isTrue();
        if (Files.isSymbolicLink(Path.of("/bin"))) {
            assertThat(b.owner("/bin/sh").owned()).isEqualTo(b.owner("/usr/bin/sh").owned());
        }
        assertThat(b.owner("/var/lib/dpkg/status").owned()).isFalse();
        assertThat(b.ownedChildren("/usr/bin")).contains("/usr/bin/dpkg");
        long t1 = System.nanoTime();
        long children = b.ownedPaths().stream().mapToLong(path -> b.ownedChildren(path).size()).sum();
        System.out.println(children + " owned children of " + b.size() + " paths listed in "
                + (System.nanoTime() - t1) / 1_000_000 + " ms");
        assertThat(children).as("nearly every owned path has an owned parent").isBetween(b.size() * 99L / 100, b.size() - 1L);
    }}
