package dev.lethe.diff;

import java.util.Map;
import java.util.TreeMap;

/** The changes {@link DiffRig#makeKnownChanges} makes, shared by the diff and command tests. */
public final class DiffTestKnown {
    private DiffTestKnown() {}

    /** Every change {@link DiffRig#makeKnownChanges} makes outside persisted and ignored paths: path → "kind what bytes dir?". */
    public static final Map<String, String> KNOWN = new TreeMap<>(Map.ofEntries(
            Map.entry("/etc/dirA", "deleted deleted 0 dir"),
            Map.entry("/etc/dirB/y", "modified type changed 0 dir"),
            Map.entry("/etc/dirB/y/inner", "added added 2"),
            Map.entry("/etc/dirC", "modified replaced 0 dir"),
            Map.entry("/etc/dirC/new", "added added 2"),
            Map.entry("/etc/empty", "added added 0"),
            Map.entry("/etc/hostname", "modified modified 8"),
            Map.entry("/etc/link", "modified modified 4"),
            Map.entry("/etc/mode-me", "modified metadata 2"),
            Map.entry("/etc/motd", "deleted deleted 0"),
            Map.entry("/etc/own-me", "modified metadata 2"),
            Map.entry("/etc/shared", "modified metadata 2"),
            Map.entry("/etc/shared-link", "added added 2"),
            Map.entry("/var/lib/foo", "added added 0 dir"),
            Map.entry("/var/lib/foo/data", "added added 5"),
            Map.entry("/var/lib/foo/db", "added added 0 dir"),
            Map.entry("/var/lib/foo/db/big", "added added 1000")));

}
