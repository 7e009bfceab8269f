package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lethe import on the configurations of impermanence's and preservation's own documentation and
 * tests (fixtures: src/test/resources/dev/lethe/config/import/README.md): the printed config has the
 * same entries, passes check, and what lethe cannot express is listed.
 */
class ImportCommandTest {

    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(ImportCommandTest.class.getResource("/dev/lethe/config/import/" + name).toURI());
    }

    /** A root whose passwd has the users and groups the imported config names, and check's verdict on it. */
    private Result check(String toml, String passwd, String group) throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n" + passwd);
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nusers:x:100:\n" + group);
        Path config = dir.resolve("imported.toml");
        Files.writeString(config, toml);
        return CliTest.lethe("check", "--root", root.toString(), "--config", config.toString());
    }

    @Test
    void impermanencesReadmeExample() throws Exception {
        Result run = CliTest.lethe("import", "impermanence", fixture("impermanence-readme.json").toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("""
                [[store]]
                path = "/persistent"
                directories = [
                  "/var/log",
                  "/var/lib/bluetooth",
                  "/var/lib/nixos",
                  "/var/lib/systemd/coredump",
                  "/etc/NetworkManager/system-connections",
                  { path = "/var/lib/colord", owner = "colord", group = "colord", mode = "0750" },
                ]
                files = [
                  "/etc/machine-id",
                  { path = "/var/keys/secret_file", parent = { mode = "0700" } },
                ]

                [store.users.bird]
                directories = [
                  "Downloads",
                """).contains("  \"VirtualBox VMs\",\n  { path = \".gnupg\", mode = \"0700\" },\n")
                .contains("  \".local/share/direnv\",\n]\nfiles = [\n  \".screenrc\",\n]\n");
        assertThat(run.err()).contains("not expressed: /persistent: hideMounts = true");
        Result check = check(run.out(), "bird:x:1000:100::/home/bird:/bin/sh\ncolord:x:70:70::/var/empty:/bin/false\n",
                "colord:x:70:\n");
        assertThat(check.exit()).as(check.all()).isZero();
        assertThat(check.out()).contains("20 entries");
    }

    @Test
    void preservationsBasicTest() throws Exception {
        Result run = CliTest.lethe("import", "preservation", fixture("preservation-basic.json").toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("""
                [[store]]
                path = "/state"
                directories = [
                  "/var/lib/someservice",
                  "/var/log",
                ]
                files = [
                  { path = "/etc/wpa_supplicant.conf", method = "symlink" },
                  { path = "/etc/machine-id", stage = "initrd" },
                  { path = "/etc/ssh/ssh_host_rsa_key", method = "symlink" },
                  { path = "/etc/ssh/ssh_host_ed25519_key", method = "symlink" },
                ]

                [store.users.alice]
                directories = [
                  ".rabbit_hole",
                ]

                [store.users.butz]
                directories = [
                  "unshaved_yaks",
                  "foo/bar/baz",
                  { path = "symlinked_user_dir", method = "symlink" },
                ]
                files = [
                  { path = ".config/foo", mode = "0600" },
                  "bar",
                  { path = ".symlinks/baz", method = "symlink" },
                  "yay_userspace_mount_options",
                  { path = ".toplevel_symlink", method = "symlink" },
                ]
                """);
        assertThat(run.err()).contains(".symlinks/baz: createLinkTarget = true")
                .contains("mount options x-foo (on /state, ").contains("mount options x-foo, x-bar, x-baz (on ~butz/yay_userspace_mount_options)");
        Result check = check(run.out(), "alice:x:1000:100::/home/wonderland:/bin/sh\nbutz:x:1001:100::/home/butz:/bin/sh\n", "");
        assertThat(check.exit()).as(check.all()).isZero();
        assertThat(check.out()).contains("15 entries").contains("/home/wonderland/.rabbit_hole");
    }

    @Test
    void aFileThatIsNotTheRightJsonIsAnOperationFailureNamingIt() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[1, 2]");
        Result run = CliTest.lethe("import", "impermanence", bad.toString());
        assertThat(run.exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
        assertThat(run.err()).contains("cannot import " + bad).contains("expected a JSON object");
    }
}
