package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Machine;
import dev.lethe.testing.Machine.Disk;
import dev.lethe.testing.Sh;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** persist and forget on a throwaway machine: the config edited in place, then applied for real. */
class PersistForgetTest {

    /** Written by hand: comments, odd spacing, a user table. */
    private static final String CONFIG = """
            # lethe on my laptop  --  keep   this
            [[store]]
            path = "/persist"   # the second disk
            directories = [
              "/var/log",     # logs, for journalctl --boot=-1
            ]
            files   =   [ "/etc/machine-id" ]

            [store.users.alice]
            directories = [ "Documents" ]
            """;

    @Test
    void persistMigratesAndMountsThenForgetUnmountsKeepsTheDataAndGivesBackTheSameConfig() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Sh.run("chmod", "0640", m.config.toString());
            Sh.run("chown", "1000:1000", m.config.toString());
            m.write("/etc/machine-id", "abc\n");
            m.write("/var/lib/app/db", "precious");
            m.write("/etc/hostname", "box\n");
            assertThat(m.lethe("apply").exit()).isZero();

            Machine.Run persist = m.lethe("persist", "/var/lib/app", "/etc/hostname");
            assertThat(persist.exit()).as(persist.all()).isZero();
            assertThat(persist.out()).containsPattern("persist\\s+directory\\s+/var/lib/app \\(" + m.config + " line 6, store /persist\\)")
                    .containsPattern("persist\\s+file\\s+/etc/hostname").contains("migrate");
            String edited = Files.readString(m.config);
            assertThat(edited).startsWith("# lethe on my laptop  --  keep   this\n")
                    .contains("  \"/var/log\",     # logs, for journalctl --boot=-1\n  \"/var/lib/app\",\n]")
                    .contains("files   =   [ \"/etc/machine-id\", \"/etc/hostname\" ]");
            // The file keeps its owner and mode.
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(m.config))).isEqualTo("rw-r-----");
            assertThat(Files.getAttribute(m.config, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1000);
            assertThat(m.mountsBelowRoot()).contains("/var/lib/app", "/etc/hostname");
            assertThat(Files.readString(m.disk.resolve("var/lib/app/db"))).isEqualTo("precious");
            assertThat(m.read("/var/lib/app/db")).isEqualTo("precious");
            assertThat(m.lethe("apply").out()).contains("nothing to do");

            Machine.Run forget = m.lethe("forget", "/var/lib/app", "/etc/hostname");
            assertThat(forget.exit()).as(forget.all()).isZero();
            assertThat(Files.readString(m.config)).isEqualTo(CONFIG);
            assertThat(m.mountsBelowRoot()).doesNotContain("/var/lib/app", "/etc/hostname").contains("/var/log");
            assertThat(Files.readString(m.disk.resolve("var/lib/app/db"))).isEqualTo("precious");
            assertThat(forget.out()).contains("/var/lib/app is no longer persisted; its data stays in /persist/var/lib/app");
            assertThat(m.lethe("orphans").out()).contains("/persist/var/lib/app");
        }
    }

    @Test
    void aUsersPathGoesInTheUsersTable() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            Sh.run("install", "-d", "-o", "1000", "-g", "1000", m.at("/home/alice/.ssh").toString());
            m.write("/home/alice/.ssh/known_hosts", "host key");
            Machine.Run run = m.lethe("persist", "--user", "alice", ".ssh", "--mode", "0700");
            assertThat(run.exit()).as(run.all()).isZero();
            assertThat(Files.readString(m.config)).endsWith(
                    "[store.users.alice]\ndirectories = [ \"Documents\", { path = \".ssh\", mode = \"0700\" } ]\n");
            assertThat(m.mountsBelowRoot()).contains("/home/alice/.ssh");
            assertThat(Files.readString(m.disk.resolve("home/alice/.ssh/known_hosts"))).isEqualTo("host key");

            assertThat(m.lethe("forget", "--user", "alice", ".ssh").exit()).isZero();
            assertThat(Files.readString(m.config)).isEqualTo(CONFIG);
        }
    }

    @Test
    void aRefusedEditChangesNothing() throws Exception {
        try (Machine m = new Machine(Disk.TMPFS)) {
            m.config(CONFIG);
            m.write("/var/log/apt/history.log", "x");
            m.write("/var/lib/app/db", "x");
            byte[] before = Files.readAllBytes(m.config);
            String config = m.config.toString();
            for (String[] args : new String[][] {
                    {"persist", "/var/log/apt"},                         // inside /var/log
                    {"persist", "/var/log/nothing"},                     // inside /var/log, and not there: that first
                    {"persist", "/var/log"},                             // already persisted
                    {"persist", "/var/../etc", "--directory"},           // ..
                    {"persist", "/var/lib/app", "--store", "/elsewhere"},
                    {"persist", "/var/lib/app", "--mode", "999"},
                    {"forget", "/var/lib/app"},                          // not persisted
                    {"forget", "/var/log/apt"}}) {                       // inside an entry
                Machine.Run run = m.lethe(args);
                assertThat(run.exit()).as("%s: %s", String.join(" ", args), run.all()).isEqualTo(ExitCode.CONFIG);
                assertThat(run.err()).as(String.join(" ", args)).startsWith(config).contains("nothing was changed");
                assertThat(Files.readAllBytes(m.config)).isEqualTo(before);
            }
            assertThat(m.lethe("persist", "/var/log/apt").err()).contains(config + ":6: /var/log/apt: is inside /var/log, declared at "
                    + config + ":5");
            assertThat(m.lethe("persist", "/var/log").err()).contains("declared twice, also declared at " + config + ":5");
            Machine.Run absent = m.lethe("persist", "/srv/nothing");
            assertThat(absent.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(absent.err()).contains("/srv/nothing: neither a directory nor a file").contains("say --file or --directory");
            assertThat(m.mountsBelowRoot()).containsExactly("/persist");  // the store itself, as the machine has it
            assertThat(Files.readAllBytes(m.config)).isEqualTo(before);
            assertThat(m.scratch.toFile().list()).doesNotContain(".lethe.toml.lethe-new");
        }
    }
}
