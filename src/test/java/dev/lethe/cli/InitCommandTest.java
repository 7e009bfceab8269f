package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** init on a throwaway machine: a starter config with the paths this machine has, which check and apply accept. */
class InitCommandTest {

    @Test
    void writesOnlyThePathsThisMachineHasAndTheResultPassesCheckAndApplies() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.write("/etc/machine-id", "abc\n");
            m.write("/etc/ssh/ssh_host_ed25519_key", "private");
            m.write("/etc/ssh/ssh_host_ed25519_key.pub", "public");
            m.write("/var/log/syslog", "log");
            Files.createDirectories(m.at("/var/lib/bluetooth"));
            Files.createSymbolicLink(m.at("/var/lib/systemd"), Path.of("/elsewhere"));  // a link: not offered
            Path config = m.at("/etc/lethe/lethe.toml");

            Machine.Run init = m.letheWithDefaultConfig("init");
            assertThat(init.exit()).as(init.all()).isZero();
            assertThat(init.out()).contains("wrote " + config);
            String text = Files.readString(config);
            assertThat(text).contains("path = \"/persist\"", "\"/var/log\",", "\"/var/lib/bluetooth\",",
                    "{ path = \"/etc/machine-id\", stage = \"initrd\" },", "\"/etc/ssh/ssh_host_ed25519_key\",",
                    "\"/etc/ssh/ssh_host_ed25519_key.pub\",", "# paired Bluetooth devices")
                    .doesNotContain("\"/var/lib/systemd\"", "ssh_host_rsa_key", "NetworkManager\"", "/etc/adjtime\"");

            Machine.Run check = m.letheWithDefaultConfig("check");
            assertThat(check.exit()).as(check.all()).isZero();
            assertThat(check.out()).contains("5 entries");
            Machine.Run apply = m.letheWithDefaultConfig("apply");
            assertThat(apply.exit()).as(apply.all()).isZero();
            assertThat(m.mountsBelowRoot()).contains("/var/log", "/etc/machine-id", "/etc/ssh/ssh_host_ed25519_key");
            // persist edits what init wrote.
            m.write("/var/lib/app/db", "x");
            assertThat(m.letheWithDefaultConfig("persist", "/var/lib/app").exit()).isZero();
            assertThat(Files.readString(config)).contains("  \"/var/lib/app\",\n]");

            byte[] before = Files.readAllBytes(config);
            Machine.Run again = m.letheWithDefaultConfig("init", "--store", "/other");
            assertThat(again.exit()).isEqualTo(ExitCode.ENTRIES_FAILED);
            assertThat(again.err()).contains(config + " exists already");
            assertThat(Files.readAllBytes(config)).isEqualTo(before);
        }
    }

    @Test
    void aBareMachineGetsAValidConfigWithNoEntriesAndANoteAboutTheStore() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            Machine.Run init = m.lethe("init", "--store", "/srv/keep");
            assertThat(init.exit()).as(init.all()).isZero();
            assertThat(init.out()).contains("the store /srv/keep does not exist");
            assertThat(Files.readString(m.config)).contains("path = \"/srv/keep\"");
            Machine.Run check = m.lethe("check");
            assertThat(check.exit()).as(check.all()).isZero();
            assertThat(check.out()).contains("0 entries");
        }
    }
}
