package dev.lethe.config;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * The config {@code lethe init} writes: adoption mode, one store, and the paths almost every machine
 * needs to keep, each with a comment saying why, listed only when the machine has them.
 */
public final class StarterConfig {

    private StarterConfig() {}

    /** A path worth keeping on most machines; {@code toml} is how its entry is written. */
    record Candidate(AbsolutePath path, Kind kind, String toml, String why) {
        static Candidate directory(String path, String why) {
            return new Candidate(AbsolutePath.of(path), Kind.DIRECTORY, NewEntry.quote(path), why);
        }

        static Candidate file(String path, String why) {
            return new Candidate(AbsolutePath.of(path), Kind.FILE, NewEntry.quote(path), why);
        }
    }

    private static final String HOST_KEY = "SSH host key: without it, clients see a new machine after every boot";

    static final List<Candidate> CANDIDATES = List.of(
            Candidate.directory("/var/log", "logs of earlier boots (journalctl --boot=-1)"),
            Candidate.directory("/var/lib/systemd", "timers' last runs, the random seed, coredumps, dynamic users' ids"),
            Candidate.directory("/var/lib/nixos", "NixOS: the uids and gids it gave out, so files keep their owners"),
            Candidate.directory("/etc/NetworkManager/system-connections", "Wi-Fi and VPN connections, with their secrets"),
            Candidate.directory("/var/lib/NetworkManager", "NetworkManager's leases and secret key"),
            Candidate.directory("/var/lib/iwd", "iwd's known Wi-Fi networks"),
            Candidate.directory("/var/lib/bluetooth", "paired Bluetooth devices"),
            Candidate.directory("/var/spool/cron", "users' crontabs (crontab -e)"),
            new Candidate(AbsolutePath.of("/etc/machine-id"), Kind.FILE,
                    "{ path = \"/etc/machine-id\", stage = \"initrd\" }",
                    "the machine's identity: systemd reads it before any unit starts, so the initrd mounts it"),
            Candidate.file("/etc/ssh/ssh_host_ed25519_key", HOST_KEY),
            Candidate.file("/etc/ssh/ssh_host_ed25519_key.pub", HOST_KEY),
            Candidate.file("/etc/ssh/ssh_host_ecdsa_key", HOST_KEY),
            Candidate.file("/etc/ssh/ssh_host_ecdsa_key.pub", HOST_KEY),
            Candidate.file("/etc/ssh/ssh_host_rsa_key", HOST_KEY),
            Candidate.file("/etc/ssh/ssh_host_rsa_key.pub", HOST_KEY),
            Candidate.file("/etc/adjtime", "the hardware clock's drift"));

    /** The starter config's text; {@code present} says whether the machine has a path of that kind. */
    public static String render(AbsolutePath store, BiPredicate<AbsolutePath, Kind> present) {
        List<Candidate> kept = CANDIDATES.stream().filter(c -> present.test(c.path(), c.kind())).toList();
        return """
                # lethe: what survives when the root forgets (written by lethe init; lethe check validates it).
                # Only the paths listed below are kept. Start in adoption mode: lethe apply moves each
                # path's data into the store and mounts it back, and the machine works as before. Then
                # lethe diff --suggest shows what else lives on the root; lethe persist PATH adds it here.
                # Users and groups (/etc/passwd, /etc/shadow, /etc/group) come from the root's blank state:
                # their tools replace those files by rename, which a mounted file refuses, so after adding
                # a user, update the blank (see the README, "Installing").

                [root]
                strategy = "none"   # adoption mode: nothing is wiped yet; btrfs, zfs, overlay or tmpfs later

                [[store]]
                path = %s   # a filesystem that survives reboots, mounted before lethe runs
                directories = [
                %s]
                files = [
                %s]

                # A user's paths, relative to the home:
                # [store.users.alice]
                # directories = ["Documents", { path = ".ssh", mode = "0700" }]
                # files = [".bash_history"]
                """.formatted(NewEntry.quote(store.value()), lines(kept, Kind.DIRECTORY), lines(kept, Kind.FILE));
    }

    private static String lines(List<Candidate> kept, Kind kind) {
        List<Candidate> ofKind = kept.stream().filter(c -> c.kind() == kind).toList();
        int width = ofKind.stream().mapToInt(c -> c.toml().length() + 1).max().orElse(0);
        return ofKind.stream().map(c -> "  " + padded(c.toml() + ",", width) + "  # " + c.why() + "\n")
                .collect(Collectors.joining());
    }

    private static String padded(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
