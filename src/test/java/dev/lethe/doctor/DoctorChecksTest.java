package dev.lethe.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.linux.MountInfo;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Origin;
import dev.lethe.model.Principal;
import dev.lethe.model.Stage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of doctor: fstab, mount units and tmpfiles.d as systemd reads them, the mount-tree walk, the thresholds. */
class DoctorChecksTest {

    @Test
    void fstabLinesAreReadWithEscapesAndWithoutComments() {
        List<StoreMounts.MountLine> lines = StoreMounts.parseFstab("""
                # a comment
                UUID=1234  /  ext4  defaults  0 1

                LABEL=data /srv/my\\040data ext4 noatime,noauto 0 2
                /dev/sdb1 /persist xfs
                """, "/etc/fstab");
        assertThat(lines).extracting(StoreMounts.MountLine::where).containsExactly("/", "/srv/my data", "/persist");
        assertThat(lines.get(1).options()).containsExactly("noatime", "noauto");
        assertThat(lines.get(1).origin()).isEqualTo("/etc/fstab:4");
        assertThat(lines.get(2).options()).as("no options field means defaults").containsExactly("defaults");
    }

    @Test
    void aMountUnitGivesItsWhereTypeAndOptions() {
        Optional<StoreMounts.MountLine> unit = StoreMounts.parseMountUnit("""
                [Unit]
                Description=data
                [Mount]
                What=server:/export
                Where=/persist
                Type=nfs4
                Options=rw,hard
                """, "/etc/systemd/system/persist.mount");
        assertThat(unit).get().extracting(StoreMounts.MountLine::where, StoreMounts.MountLine::type)
                .containsExactly("/persist", "nfs4");
        assertThat(StoreMounts.lateBecause(unit.get())).get().asString().contains("needs the network (nfs4)");
        assertThat(StoreMounts.parseMountUnit("[Unit]\nDescription=x\n", "x.mount")).isEmpty();
    }

    @Test
    void aMountUnitOverridesFstabAndTheFirstFstabLineWins() {
        dev.lethe.config.StoreConfig store = new dev.lethe.config.StoreConfig(AbsolutePath.of("/persist"), false,
                new Origin("lethe.toml", 2));
        List<StoreMounts.MountLine> fstab = StoreMounts.parseFstab(
                "LABEL=a /persist ext4 defaults 0 2\nLABEL=b /persist/ ext4 noauto 0 2\n", "/etc/fstab");
        assertThat(StoreMounts.check(List.of(store), fstab)).isEmpty();
        List<StoreMounts.MountLine> withUnit = new java.util.ArrayList<>(fstab);
        withUnit.add(StoreMounts.parseMountUnit("[Mount]\nWhere=/persist\nOptions=_netdev\n",
                "/etc/systemd/system/persist.mount").orElseThrow());
        assertThat(StoreMounts.check(List.of(store), withUnit)).singleElement().extracting(Finding::problem).asString()
                .contains("_netdev", "/etc/systemd/system/persist.mount");
        dev.lethe.config.StoreConfig onRoot = new dev.lethe.config.StoreConfig(AbsolutePath.of("/state"), true,
                new Origin("lethe.toml", 5));
        assertThat(StoreMounts.check(List.of(onRoot), List.of())).as("a store on the root needs no mount").isEmpty();
    }

    @Test
    void aPlainLocalMountIsNotLate() {
        assertThat(StoreMounts.lateBecause(new StoreMounts.MountLine("LABEL=p", "/persist", "ext4",
                List.of("defaults", "nofail", "x-systemd.device-timeout=10s"), "/etc/fstab:1"))).isEmpty();
    }

    @Test
    void onlyCleaningTypesWithAnAgeAreRules() {
        List<Tmpfiles.AgeRule> rules = Tmpfiles.ageRules(AbsolutePath.of("/usr/lib/tmpfiles.d/x.conf"), """
                d /var/cache/a 0755 root root 7d
                d /var/cache/b 0755 root root -
                D! /var/cache/c - - - 1h
                f /var/cache/d 0644 root root 7d
                L /var/cache/e - - - - /target
                q /var/tmp 1777 root root 30d
                x /var/cache/f - - - 1d
                d /var/cache/short 0755 root root
                """);
        assertThat(rules).extracting(Tmpfiles.AgeRule::path).containsExactly("/var/cache/a", "/var/cache/c", "/var/tmp");
        assertThat(rules.getFirst().origin()).isEqualTo("/usr/lib/tmpfiles.d/x.conf:1");
    }

    @Test
    void theFileInTheMostImportantDirectoryWins() {
        Map<String, Map.Entry<AbsolutePath, String>> chosen = Tmpfiles.effective(List.of(
                Map.of("a.conf", "etc"), Map.of("a.conf", "run", "b.conf", "run"), Map.of("b.conf", "usr", "c.conf", "usr")));
        assertThat(chosen.get("a.conf").getValue()).isEqualTo("etc");
        assertThat(chosen.get("b.conf").getValue()).isEqualTo("run");
        assertThat(chosen.get("c.conf").getKey()).isEqualTo(AbsolutePath.of("/usr/lib/tmpfiles.d/c.conf"));
    }

    @ParameterizedTest
    @CsvSource({"/var/tmp, /var/tmp, true", "/var/tmp/sub, /var/tmp, true", "/var/tmp/*, /var/tmp, true",
            "/var, /var/tmp, false", "/var/tmpx, /var/tmp, false", "/var/*/x, /var/log, true",
            "%h/.cache, /home/alice/.cache, false", "/var/tmp/, /var/tmp, true"})
    void aRuleCleansInsideTheEntryOnlyAtOrBelowIt(String rule, String target, boolean cleans) {
        assertThat(Tmpfiles.cleansInside(rule, AbsolutePath.of(target))).isEqualTo(cleans);
    }

    /** mountinfo lines: id parent major:minor root mount-point options - type source super-options. */
    private static String line(int id, int parent, String root, String point, String source) {
        return id + " " + parent + " 0:" + id + " " + root + " " + point + " rw - tmpfs " + source + " rw\n";
    }

    @Test
    void theWalkTakesTheLastMountStackedOnTheOneReachedSoFar() {
        MountInfo mounts = MountInfo.parse(line(1, 0, "/", "/", "root")
                + line(2, 1, "/", "/var", "old-var")
                + line(3, 2, "/var/log", "/var/log", "lethe")
                + line(4, 2, "/", "/var", "new-var"));
        assertThat(Checks.visible(mounts, "/var/log").source()).as("a mount over the parent hides the bind")
                .isEqualTo("new-var");
        MountInfo stackedOnEntry = MountInfo.parse(line(1, 0, "/", "/", "root")
                + line(3, 1, "/var/log", "/var/log", "lethe") + line(5, 3, "/", "/var/log", "over"));
        assertThat(Checks.visible(stackedOnEntry, "/var/log").source()).isEqualTo("over");
    }

    @Test
    void aMountHiddenItselfHidesNothing() {
        // /var/x was mounted, then /var was covered; a bind made after that, below the new /var,
        // is what the path shows, not the buried /var/x.
        MountInfo mounts = MountInfo.parse(line(1, 0, "/", "/", "root")
                + line(2, 1, "/", "/var", "a")
                + line(3, 2, "/", "/var/x", "buried")
                + line(4, 2, "/", "/var", "c")
                + line(5, 4, "/var/x/log", "/var/x/log", "lethe"));
        assertThat(Checks.visible(mounts, "/var/x/log").source()).isEqualTo("lethe");
    }

    @Test
    void theDiskThresholdsAreTenPercentFreeAndHalfInArchives() {
        AbsolutePath root = AbsolutePath.ROOT;
        assertThat(Checks.disk(Optional.of(new Checks.DiskUsage(root, 1000, 100, -1)))).isEmpty();
        assertThat(Checks.disk(Optional.of(new Checks.DiskUsage(root, 1000, 99, -1)))).hasSize(1);
        assertThat(Checks.disk(Optional.of(new Checks.DiskUsage(root, 1000, 500, 500)))).isEmpty();
        assertThat(Checks.disk(Optional.of(new Checks.DiskUsage(root, 1000, 499, 501)))).singleElement()
                .extracting(Finding::problem).asString().contains("49.9 % free (499 of 1000 bytes)", "the archives take 50.1 %");
        assertThat(Checks.disk(Optional.empty())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"/etc/passwd, true", "/etc/gshadow, true", "/etc/resolv.conf, true", "/var/lib/apt/lists/deb_Release, true",
            "/etc/NetworkManager/system-connections/home.nmconnection, true", "/var/spool/cron/crontabs/root, true",
            "/etc/machine-id, false", "/etc/ssh/ssh_host_ed25519_key, false", "/etc/adjtime, false",
            "/var/lib/apt/lists/partial/x, false"})
    void theKnownFilesReplacedByRename(String path, boolean known) {
        Entry entry = new Entry(AbsolutePath.of(path), AbsolutePath.of("/persist"), Kind.FILE, Method.BIND, Stage.SYSTEM,
                Attributes.UNDECLARED, Attributes.of(Principal.ROOT_USER, Principal.ROOT_GROUP, Mode.DIRECTORY_DEFAULT),
                Optional.empty(), new Origin("test.toml", 1));
        assertThat(RenamedFiles.check(List.of(entry))).hasSize(known ? 1 : 0);
    }
}
