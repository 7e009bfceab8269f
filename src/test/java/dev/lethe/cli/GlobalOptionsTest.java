package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --root and --config before the command as well as after it; the command's own value wins. */
class GlobalOptionsTest {

    @TempDir
    Path dir;

    private Path root(String name) throws IOException {
        Path root = dir.resolve(name);
        Files.createDirectories(root.resolve("etc/lethe"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        return root;
    }

    private static Path config(Path root, String storePath) throws IOException {
        Path file = root.resolve("etc/lethe/lethe.toml");
        Files.writeString(file, "[[store]]\npath = \"" + storePath + "\"\ndirectories = [\"/var/log\"]\n");
        return file;
    }

    @Test
    void rootAndConfigBeforeTheCommandAreUsed() throws Exception {
        Path root = root("a");
        Path config = config(root, "/persist-a");
        Result before = CliTest.lethe("--root", root.toString(), "check");
        assertThat(before.exit()).as(before.all()).isZero();
        assertThat(before.out()).contains(config.toString()).contains("/persist-a");

        Path other = dir.resolve("other.toml");
        Files.writeString(other, "[[store]]\npath = \"/elsewhere\"\n");
        Result both = CliTest.lethe("--root", root.toString(), "--config", other.toString(), "check", "--json");
        assertThat(both.exit()).as(both.all()).isZero();
        assertThat(both.out()).contains(other.toString());
        Result shortName = CliTest.lethe("-c", other.toString(), "check", "--root", root.toString());
        assertThat(shortName.out()).contains(other.toString()).doesNotContain("/persist-a");
    }

    @Test
    void theCommandsOwnValueWins() throws Exception {
        Path a = root("a");
        config(a, "/persist-a");
        Path b = root("b");
        config(b, "/persist-b");
        Result run = CliTest.lethe("--root", a.toString(), "check", "--root", b.toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("/persist-b").doesNotContain("/persist-a");
        // Nested commands see them too.
        Result nested = CliTest.lethe("--root", dir.resolve("missing").toString(), "archive", "list");
        assertThat(nested.exit()).as(nested.all()).isEqualTo(ExitCode.ENVIRONMENT);
        assertThat(nested.err()).contains(dir.resolve("missing").toString());
    }

    @Test
    void helpShowsThemAndWithoutThemNothingChanges() throws Exception {
        Result help = CliTest.lethe("--help");
        assertThat(help.out()).contains("--root=DIR").contains("--config=FILE").contains("command's own --root wins");
        Result missingValue = CliTest.lethe("--root");
        assertThat(missingValue.exit()).isEqualTo(ExitCode.USAGE);
        // The command's own default (/) still applies when no global option is given: / has no config here.
        Result plain = CliTest.lethe("check", "--config", dir.resolve("none.toml").toString());
        assertThat(plain.exit()).isEqualTo(ExitCode.CONFIG);
        assertThat(plain.err()).contains("none.toml");
    }
}
