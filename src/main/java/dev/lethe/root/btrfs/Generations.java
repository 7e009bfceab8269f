package dev.lethe.root.btrfs;

import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.Errno;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.Flags;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which inodes of a subvolume changed after a given transaction, read from the filesystem's own
 * generation numbers with the {@code BTRFS_IOC_TREE_SEARCH_V2} ioctl.
 *
 * <p>Why this is sound: a snapshot shares every tree block with its source, and btrfs never writes a
 * shared block in place: a change copies the leaf (and its parents) in the running transaction. Every
 * change to an inode (data written, owner, mode, a link added or removed, a name added to or removed
 * from a directory) rewrites its inode item with {@code transid} set to that transaction. So a search
 * restricted to blocks newer than the snapshot ({@code min_transid}) visits every inode item written
 * since, and the items' own {@code transid} tells which of them changed. Deletions are found through
 * their directory, whose inode item changes with every name removed. The search needs the changes
 * committed to the tree first ({@code btrfs filesystem sync}): btrfs delays inode items in memory.
 *
 * <p>It needs CAP_SYS_ADMIN (the ioctl reads the raw tree).
 */
final class Generations {

    private static final int KEY_SIZE = 104;
    private static final int ARGS_SIZE = KEY_SIZE + 8;
    private static final int HEADER_SIZE = 32;
    /** Room for the largest item of the largest node size (64 KiB), with many items per call. */
    private static final int RESULTS_SIZE = 256 * 1024;
    /** Enough for one inode's names in all but extreme cases (EOVERFLOW then retries with the large size). */
    private static final int REFERENCES_SIZE = 4096;

    private static final int INODE_ITEM = 1;
    private static final int INODE_REF = 12;
    private static final int INODE_EXTREF = 13;
    /** The first inode number of a subvolume's own files; the subvolume's top directory. */
    private static final long FIRST_INODE = 256;
    private static final long ALL = -1L;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    /**
     * The changed inodes and everything a walk must enter to reach them.
     *
     * @param changed the inodes whose item was written after the transaction
     * @param touched the changed inodes and every directory above one of them, up to the subvolume's top
     */
    record Changes(Set<Long> changed, Set<Long> touched) {

        /**
         * The hint for {@link TreeDiff}: what is neither changed nor above a change is not looked at.
         * It answers from sorted arrays, not the sets: the walk asks once per name of every directory
         * it lists (a million times where 1 000 directories changed), and a set of boxed inode numbers,
         * neighbours all, probed long chains (8 % of such a diff's time).
         */
        TreeDiff.Hint hint() {
            long[] changedInodes = sorted(changed);
            long[] touchedInodes = sorted(touched);
            return new TreeDiff.Hint() {
                @Override
                public boolean touched(long inode) {
                    return Arrays.binarySearch(touchedInodes, inode) >= 0;
                }

                @Override
                public boolean unchanged(Stat live, Stat blank) {
                    return live.inode() == blank.inode() && Arrays.binarySearch(changedInodes, live.inode()) < 0;
                }
            };
        }

        private static long[] sorted(Set<Long> inodes) {
            long[] sorted = inodes.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            return sorted;
        }
    }

    private final Syscalls sys;
    private final int fd;
    private final long tree;
    private final byte[] args = new byte[ARGS_SIZE + RESULTS_SIZE];
    private final ByteBuffer view = ByteBuffer.wrap(args).order(ByteOrder.LITTLE_ENDIAN);
    /** What the scan of the changed blocks showed of each inode's names: its directories, how many names, its link count. */
    private final Map<Long, Set<Long>> parentsSeen = new HashMap<>();
    private final Map<Long, Integer> namesSeen = new HashMap<>();
    private final Map<Long, Integer> linksSeen = new HashMap<>();

    /**
     * @param fd   any descriptor on the filesystem
     * @param tree the subvolume's ID (its tree's objectid)
     */
    Generations(Syscalls sys, int fd, long tree) {
        this.sys = sys;
        this.fd = fd;
        this.tree = tree;
    }

    /** The inodes of subvolume {@code tree} changed after transaction {@code transid}, with their ancestors. */
    static Changes since(Syscalls sys, int fd, long tree, long transid) throws IOException {
        Generations search = new Generations(sys, fd, tree);
        Set<Long> changed = search.changedInodes(transid);
        return new Changes(Set.copyOf(changed), Set.copyOf(search.withAncestors(changed)));
    }

    /** True if some inode of subvolume {@code tree} was written after transaction {@code transid}. */
    static boolean changedSince(Syscalls sys, int fd, long tree, long transid) throws IOException {
        return !new Generations(sys, fd, tree).changedInodes(transid).isEmpty();
    }

    /**
     * Scans the blocks written after the transaction. Also notes the names of the changed inodes and
     * of the directories the scan passes (the ancestors a walk needs), to save searches later: an
     * inode's items come in key order, its inode item before its references.
     */
    private Set<Long> changedInodes(long transid) throws IOException {
        Set<Long> changed = new HashSet<>();
        long[] noted = {-1};  // the inode whose references are being noted
        search(0, ALL, 0, 255, transid + 1, RESULTS_SIZE, (objectid, type, offset, data, length) -> {
            // The free-space and orphan items use objectids below 256 or above 2^63 (negative here).
            if (objectid < FIRST_INODE) {
                return;
            }
            if (type == INODE_ITEM && length >= 56) {
                boolean isChanged = view.getLong(data + 8) > transid;
                if (isChanged) {
                    changed.add(objectid);
                }
                if (isChanged || (view.getInt(data + 52) & S_IFMT) == S_IFDIR) {
                    noted[0] = objectid;
                    linksSeen.put(objectid, view.getInt(data + 40));
                }
            } else if ((type == INODE_REF || type == INODE_EXTREF) && objectid == noted[0]) {
                noteNames(objectid, type, offset, data, length);
            }
        });
        return changed;
    }

    /** Records the directories and the number of names one INODE_REF or INODE_EXTREF item holds. */
    private void noteNames(long inode, int type, long offset, int data, int length) {
        Set<Long> parents = parentsSeen.computeIfAbsent(inode, i -> new HashSet<>());
        int names = 0;
        if (type == INODE_REF) {
            // The key's offset is the directory; packed btrfs_inode_ref: index (8), name length (2), name.
            parents.add(offset);
            for (int at = data; at + 10 <= data + length; at += 10 + Short.toUnsignedInt(view.getShort(at + 8))) {
                names++;
            }
        } else {
            // Packed btrfs_inode_extref: directory (8), index (8), name length (2), name.
            for (int at = data; at + 18 <= data + length; at += 18 + Short.toUnsignedInt(view.getShort(at + 16))) {
                parents.add(view.getLong(at));
                names++;
            }
        }
        namesSeen.merge(inode, names, Integer::sum);
    }

    /** The inodes and every directory above them, following each of their names (hard links too). */
    private Set<Long> withAncestors(Set<Long> inodes) throws IOException {
        Set<Long> all = new HashSet<>(inodes);
        Deque<Long> pending = new ArrayDeque<>(inodes);
        while (!pending.isEmpty()) {
            long inode = pending.pop();
            if (inode == FIRST_INODE) {
                continue;  // the subvolume's top: its reference names itself
            }
            for (long parent : parents(inode)) {
                if (all.add(parent)) {
                    pending.push(parent);
                }
            }
        }
        return all;
    }

    /**
     * The directories that hold a name of the inode: from the scan when it saw as many names as the
     * inode has links (a directory has one), else from a search of the inode's own items.
     */
    Set<Long> parents(long inode) throws IOException {
        Integer links = linksSeen.get(inode);
        if (links != null && links.equals(namesSeen.get(inode))) {
            return parentsSeen.get(inode);
        }
        parentsSeen.remove(inode);
        namesSeen.remove(inode);
        try {
            search(inode, inode, INODE_REF, INODE_EXTREF, 0, REFERENCES_SIZE, (objectid, type, offset, data, length) -> {
                if (objectid == inode && (type == INODE_REF || type == INODE_EXTREF)) {
                    noteNames(inode, type, offset, data, length);
                }
            });
        } catch (ErrnoException e) {
            if (!e.is(Errno.EOVERFLOW)) {
                throw e;
            }
            // One item larger than the small buffer (thousands of hard links in one directory).
            parentsSeen.remove(inode);
            namesSeen.remove(inode);
            search(inode, inode, INODE_REF, INODE_EXTREF, 0, RESULTS_SIZE, (objectid, type, offset, data, length) -> {
                if (objectid == inode && (type == INODE_REF || type == INODE_EXTREF)) {
                    noteNames(inode, type, offset, data, length);
                }
            });
        }
        return parentsSeen.getOrDefault(inode, Set.of());
    }

    @FunctionalInterface
    private interface ItemVisitor {
        /** @param data the offset of the item's bytes in {@link #view} */
        void visit(long objectid, int type, long offset, int data, int length);
    }

    /**
     * Visits every item with a key from ({@code from}, {@code fromType}, 0) to ({@code to}, {@code
     * toType}, max) in blocks written at or after {@code minTransid}, {@code resultsSize} bytes of
     * results at a time (only that much is copied to and from the kernel). Keys are compared as
     * (objectid, type, offset) triples, so a range of types is contiguous only within one objectid.
     */
    private void search(long from, long to, int fromType, int toType, long minTransid, int resultsSize,
                        ItemVisitor visitor) throws IOException {
        long objectid = from;
        long type = fromType;
        long offset = 0;
        while (true) {
            view.clear();
            view.putLong(0, tree);
            view.putLong(8, objectid);
            view.putLong(16, to);
            view.putLong(24, offset);
            view.putLong(32, ALL);
            view.putLong(40, minTransid);
            view.putLong(48, ALL);
            view.putInt(56, (int) type);
            view.putInt(60, toType);
            view.putInt(64, Integer.MAX_VALUE);
            view.putLong(KEY_SIZE, resultsSize);
            sys.ioctl(fd, Flags.BTRFS_IOC_TREE_SEARCH_V2, args, ARGS_SIZE + resultsSize);
            int items = view.getInt(64);
            if (items == 0) {
                return;
            }
            int at = ARGS_SIZE;
            for (int i = 0; i < items; i++) {
                objectid = view.getLong(at + 8);
                offset = view.getLong(at + 16);
                type = Integer.toUnsignedLong(view.getInt(at + 24));
                int length = view.getInt(at + 28);
                visitor.visit(objectid, (int) type, offset, at + HEADER_SIZE, length);
                at += HEADER_SIZE + length;
            }
            // The next search starts just after the last key returned: (objectid, type, offset) + 1.
            if (offset != ALL) {
                offset++;
            } else if (type < toType) {
                type++;
                offset = 0;
            } else if (objectid != to) {
                objectid++;
                type = fromType;
                offset = 0;
            } else {
                return;
            }
        }
    }
}
