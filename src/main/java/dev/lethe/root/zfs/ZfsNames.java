package dev.lethe.root.zfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names the zfs strategy works with, from the config.
 *
 * @param root     the root dataset, "pool/root"
 * @param blank    the blank snapshot's name, "blank"
 * @param archives "pool/lethe-archives"
 * @param leaf     the root's last name component, which archive names start with
 */
public record ZfsNames(String root, String blank, String archives, String leaf) {

    static final String ARCHIVES = RootConfig.ARCHIVES;
    // lethe's marks, user properties set on the archive itself (source local): see docs/strategies.md.
    public static final String ARCHIVE = "lethe:archive";
    public static final String OF = "lethe:of";
    public static final String CREATED = "lethe:created";
    public static final String DEGRADED = "lethe:degraded";
    public static final String GUID = "lethe:guid";
    public static final String STATE = "lethe:state";
    public static final String PENDING = "pending";
    public static final String DONE = "done";
    /** How an archive's name carries its time: {@code <leaf>.<stamp>[.degraded]}. */
    public static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The names of {@code [root]}, checked when the config was read (config.RootRules): the dataset lies inside a pool. */
    public static ZfsNames of(RootConfig.Zfs config) {
        String root = config.dataset();
        String pool = root.substring(0, root.indexOf('/'));
        return new ZfsNames(root, config.blank(), pool + "/" + ARCHIVES, root.substring(root.lastIndexOf('/') + 1));
    }

    public String pool() {
        return root.substring(0, root.indexOf('/'));
    }

    public String blankSnapshot() {
        return root + "@" + blank;
    }

    String archive(Instant now, boolean degraded) {
        return archives + "/" + leaf + "." + STAMP.format(now) + (degraded ? ".degraded" : "");
    }

    /** The archive's ref if {@code dataset} is named like one of this root's archives. */
    Optional<ArchiveRef> ref(String dataset) {
        if (!Zfs.parent(dataset).equals(archives)) {
            return Optional.empty();
        }
        String id = dataset.substring(archives.length() + 1);
        Matcher m = Pattern.compile(Pattern.quote(leaf) + "\\.(\\d{8}T\\d{6}Z)(\\.degraded)?").matcher(id);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ArchiveRef(id, Instant.from(STAMP.parse(m.group(1))), m.group(2) != null));
    }

    /** True for the root dataset and every dataset inside it. */
    boolean inRootTree(String dataset) {
        return dataset.equals(root) || dataset.startsWith(root + "/");
    }
}
