package dev.lethe.root.zfs;

import dev.lethe.archive.ArchiveRef;
import dev.lethe.config.RootConfig;
import dev.lethe.root.RootException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names the zfs strategy works with, from the config, checked once.
 *
 * @param root     the root dataset, "pool/root"
 * @param blank    the blank snapshot's name, "blank"
 * @param archives "pool/lethe-archives"
 * @param leaf     the root's last name component, which archive names start with
 */
public record ZfsNames(String root, String blank, String archives, String leaf) {

    static final String ARCHIVES = "lethe-archives";
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
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+)+");
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

    /** The names of {@code [root]}, or a refusal naming the config's line. */
    public static ZfsNames of(RootConfig config) throws RootException {
        String root = config.dataset().orElseThrow(() -> new RootException(
                config.origin() + ": the zfs strategy needs [root] dataset, the dataset mounted as / (\"rpool/root\")"));
        String blank = config.blank().orElse("blank");
        if (!DATASET.matcher(root).matches()) {
            throw new RootException(config.origin() + ": [root] dataset \"" + root + "\" must be a dataset inside a "
                    + "pool, like \"rpool/root\": a pool's own top dataset cannot be renamed, so it cannot be archived");
        }
        if (!SNAPSHOT_NAME.matcher(blank).matches()) {
            throw new RootException(config.origin() + ": [root] blank \"" + blank
                    + "\" must be a snapshot name like \"blank\" (without the dataset and @)");
        }
        String pool = root.substring(0, root.indexOf('/'));
        String archives = pool + "/" + ARCHIVES;
        if (root.equals(archives) || root.startsWith(archives + "/")) {
            throw new RootException(config.origin() + ": [root] dataset \"" + root + "\" lies in " + archives
                    + ", where lethe keeps its archives; name the dataset mounted as /");
        }
        return new ZfsNames(root, blank, archives, root.substring(root.lastIndexOf('/') + 1));
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
