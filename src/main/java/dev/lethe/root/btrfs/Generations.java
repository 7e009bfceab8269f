package dev.lethe.root.btrfs;

import dev.lethe.diff.TreeDiff;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
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

    /** {@code _IOWR(0x94, 17, struct btrfs_ioctl_search_args_v2)}: the key is 104 bytes, then buf_size. */
    static final long TREE_SEARCH_V2 = 0xC0709411L;

    private static final int KEY_SIZE = 104;
    private static final int ARGS_SIZE = KEY_SIZE + 8;
    private static final int HEADER_SIZE = 32;
    /** Room for the largest item of the largest node size (64 KiB), with many items per call. */
    private static final int RESULTS_SIZE = 256 * 1024;

    private static final int INODE_ITEM = 1;
    private static final int INODE_REF = 12;
    private static final int INODE_EXTREF = 13;
    /** The first inode number of a subvolume's own files; the subvolume's top directory. */
    private static final long FIRST_INODE = 256;
    private static final long ALL = -1L;

    /**
     * The changed inodes and everything a walk must enter to reach them.
     *
     * @param changed the inodes whose item was written after the transaction
     * @param touched the changed inodes and every directory above one of them, up to the subvolume's top
     */
    record Changes(Set<Long> changed, Set<Long> touched) {

        /** The hint for {@link TreeDiff}: what is neither changed nor above a change is not looked at. */
        TreeDiff.Hint hint() {
            return new TreeDiff.Hint() {
                @Override
                public boolean touched(long inode) {
                    return touched.contains(inode);
                }

                @Override
                public boolean unchanged(Stat live, Stat blank) {
                    return live.inode() == blank.inode() && !changed.contains(live.inode());
                }
            };
        }
    }

    private final Syscalls sys;
    private final int fd;
    private final long tree;
    private final byte[] args = new byte[ARGS_SIZE + RESULTS_SIZE];
    private final ByteBuffer view = ByteBuffer.wrap(args).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param fd   any descriptor on the filesystem
     * @param tree the subvolume's ID (its tree's objectid)
     */
    private Generations(Syscalls sys, int fd, long tree) {
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

    private Set<Long> changedInodes(long transid) throws IOException {
        Set<Long> changed = new HashSet<>();
        search(0, ALL, transid + 1, (objectid, type, offset, data, length) -> {
            // The free-space and orphan items use objectids below 256 or above 2^63 (negative here).
            if (type == INODE_ITEM && objectid >= FIRST_INODE && length >= 16 && view.getLong(data + 8) > transid) {
                changed.add(objectid);
            }
        });
        return changed;
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
            Set<Long> parents = new HashSet<>();
            search(inode, inode, 0, (objectid, type, offset, data, length) -> {
                if (objectid != inode) {
                    return;
                }
                if (type == INODE_REF) {
                    parents.add(offset);  // the key's offset is the directory
                } else if (type == INODE_EXTREF) {
                    // Packed btrfs_inode_extref: parent (8), index (8), name length (2), name.
                    for (int at = data; at + 18 <= data + length; at += 18 + Short.toUnsignedInt(view.getShort(at + 16))) {
                        parents.add(view.getLong(at));
                    }
                }
            });
            for (long parent : parents) {
                if (all.add(parent)) {
                    pending.push(parent);
                }
            }
        }
        return all;
    }

    @FunctionalInterface
    private interface ItemVisitor {
        /** @param data the offset of the item's bytes in {@link #view} */
        void visit(long objectid, int type, long offset, int data, int length);
    }

    /** Visits every item of objectids {@code from..to} in blocks written at or after {@code minTransid}. */
    private void search(long from, long to, long minTransid, ItemVisitor visitor) throws IOException {
        long objectid = from;
        long type = 0;
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
            view.putInt(60, (int) ALL);
            view.putInt(64, Integer.MAX_VALUE);
            view.putLong(KEY_SIZE, RESULTS_SIZE);
            sys.ioctl(fd, TREE_SEARCH_V2, args);
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
            } else if (type < 255) {
                type++;
                offset = 0;
            } else if (objectid != to) {
                objectid++;
                type = 0;
                offset = 0;
            } else {
                return;
            }
        }
    }
}
