package dev.lethe.tree;

import static dev.lethe.tree.TreeAccess.at;

import dev.lethe.tree.TreeAccess.InodeKey;
import dev.lethe.tree.TreeAccess.Opened;
import dev.lethe.linux.FileComparison;
import dev.lethe.linux.ErrnoException;
import dev.lethe.linux.FileType;
import dev.lethe.linux.Stat;
import dev.lethe.linux.Syscalls;
import dev.lethe.model.Progress;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Proves that two trees hold the same data before an original is removed: the same names, types,
 * sizes, bytes, owners, groups, modes (with setuid/setgid/sticky), modification times, symlink
 * targets, device numbers, extended attributes (so ACLs) and hard-link structure. Both trees are
 * walked in the same never-following way as {@link TreeCopier}, in name order, and the first
 * difference is reported.
 *
 * <p>Not compared: access times (reading changes them), ctimes and inode numbers (a copy cannot
 * keep them), directory sizes and allocated blocks (filesystem details), link counts (links outside
 * the tree), and the attributes {@link TreeCopier} cannot copy (on symlinks and special files).
 */
public final class TreeVerifier {

    private static final int BUFFER_SIZE = 1 << 20;

    private TreeVerifier() {}

    /**
     * Compares {@code aName} in {@code aParentFd} with {@code bName} in {@code bParentFd}; the
     * descriptors may be O_PATH; {@code progress} is told of every entry compared and its bytes.
     *
     * @throws VerificationException naming the first path that differs and how
     * @throws IOException if a tree cannot be read, or holds a nested mount
     */
    public static void verify(Syscalls sys, int aParentFd, byte[] aName, int bParentFd, byte[] bName, Progress progress)
            throws IOException {
        byte[] a = TreeAccess.requireName(aName, "first name");
        byte[] b = TreeAccess.requireName(bName, "second name");
        new Run(new TreeAccess(sys), RelativePath.display(a), RelativePath.display(b), progress)
                .compareRoots(aParentFd, a, bParentFd, b);
    }

    /** The state of one comparison: buffers and the hard links seen so far in each tree. */
    private static final class Run {
        private final TreeAccess fs;
        private final Syscalls sys;
        private final String aLabel;
        private final String bLabel;
        private final FileComparison contents;
        private final Progress progress;
        private final Map<InodeKey, RelativePath> aLinks = new HashMap<>();
        private final Map<InodeKey, RelativePath> bLinks = new HashMap<>();
        private Stat aRoot;
        private Stat bRoot;

        Run(TreeAccess fs, String aLabel, String bLabel, Progress progress) {
            this.fs = fs;
            this.progress = progress;
            this.sys = fs.sys();
            this.contents = new FileComparison(sys, BUFFER_SIZE);
            this.aLabel = aLabel;
            this.bLabel = bLabel;
        }

        void compareRoots(int aParentFd, byte[] aName, int bParentFd, byte[] bName) throws IOException {
            aRoot = fs.lstat(aParentFd, aName, RelativePath.ROOT);
            bRoot = fs.lstat(bParentFd, bName, RelativePath.ROOT);
            if (aRoot.sameFileAs(bRoot)) {
                // Comparing a tree with itself proves nothing, and the caller is about to delete one of them.
                throw new VerificationException(".", aLabel + " and " + bLabel + " are the same file, not a copy");
            }
            compare(aParentFd, aName, bParentFd, bName, RelativePath.ROOT, aRoot, bRoot);
        }

        private void compare(int aDir, byte[] aName, int bDir, byte[] bName, RelativePath path, Stat a, Stat b)
                throws IOException {
            if (!path.isRoot()) {
                TreeAccess.requireSameFilesystem(a, aRoot, path, "compare");
                TreeAccess.requireSameFilesystem(b, bRoot, path, "compare");
            }
            if (a.type() != b.type()) {
                throw differ(path, "type", a.typeWord(), b.typeWord());
            }
            if (!a.isDirectory()) {
                compareLinks(a, b, path);
            }
            switch (a.type()) {
                case FileType.S_IFDIR -> compareDirectories(aDir, aName, bDir, bName, path, a, b);
                case FileType.S_IFREG -> compareFiles(aDir, aName, bDir, bName, path, a, b);
                case FileType.S_IFLNK -> {
                    byte[] aTarget = at(path, () -> sys.readlinkat(aDir, aName));
                    byte[] bTarget = at(path, () -> sys.readlinkat(bDir, bName));
                    if (!Arrays.equals(aTarget, bTarget)) {
                        throw differ(path, "symlink target", RelativePath.display(aTarget), RelativePath.display(bTarget));
                    }
                    compareOwnership(a, b, path);
                    compareMtime(a, b, path);
                }
                case FileType.S_IFCHR, FileType.S_IFBLK -> {
                    if (a.rdev() != b.rdev()) {
                        throw differ(path, "device number", device(a.rdev()), device(b.rdev()));
                    }
                    compareAttributes(a, b, path);
                }
                default -> compareAttributes(a, b, path);
            }
            progress.advance(1, a.isRegularFile() ? a.size() : 0);
        }

        private void compareDirectories(int aDir, byte[] aName, int bDir, byte[] bName, RelativePath path, Stat aStat,
                                        Stat bStat) throws IOException {
            try (Opened a = fs.openDirectory(aDir, aName, aStat, path)) {
                try (Opened b = fs.openDirectory(bDir, bName, bStat, path)) {
                    // Names first: a missing or extra entry also changes the directory's mtime, and
                    // the entry is the more useful thing to report.
                    List<byte[]> aNames = fs.sortedNames(a.fd(), path);
                    List<byte[]> bNames = fs.sortedNames(b.fd(), path);
                    compareNames(aNames, bNames, path);
                    compareAttributes(a.stat(), b.stat(), path);
                    compareXattrs(a.fd(), b.fd(), path);
                    for (byte[] name : aNames) {
                        RelativePath child = path.child(name);
                        compare(a.fd(), name, b.fd(), name, child,
                                fs.lstat(a.fd(), name, child), fs.lstat(b.fd(), name, child));
                    }
                }
            }
        }

        /** Both lists are sorted the same way; the first name in only one of them is the difference. */
        private void compareNames(List<byte[]> aNames, List<byte[]> bNames, RelativePath path) throws VerificationException {
            int i = 0;
            int j = 0;
            while (i < aNames.size() || j < bNames.size()) {
                int order = i == aNames.size() ? 1 : j == bNames.size() ? -1 : Arrays.compareUnsigned(aNames.get(i), bNames.get(j));
                if (order < 0) {
                    throw new VerificationException(path.child(aNames.get(i)).toString(),
                            "missing: present in " + aLabel + ", absent in " + bLabel);
                }
                if (order > 0) {
                    throw new VerificationException(path.child(bNames.get(j)).toString(),
                            "extra: absent in " + aLabel + ", present in " + bLabel);
                }
                i++;
                j++;
            }
        }

        private void compareFiles(int aDir, byte[] aName, int bDir, byte[] bName, RelativePath path, Stat aStat, Stat bStat)
                throws IOException {
            try (Opened a = fs.openRegularFile(aDir, aName, aStat, path)) {
                try (Opened b = fs.openRegularFile(bDir, bName, bStat, path)) {
                    if (a.stat().size() != b.stat().size()) {
                        throw differ(path, "size", a.stat().size() + " bytes", b.stat().size() + " bytes");
                    }
                    compareContent(a.fd(), b.fd(), a.stat().size(), path);
                    compareAttributes(a.stat(), b.stat(), path);
                    compareXattrs(a.fd(), b.fd(), path);
                }
            }
        }

        private void compareContent(int a, int b, long size, RelativePath path) throws IOException {
            long mismatch;
            try {
                mismatch = contents.firstDifference(a, b, size);
            } catch (ErrnoException e) {
                throw e.withPath(path.toString());
            } catch (EOFException e) {
                throw new IOException(path + ": changed while being verified (shorter than the "
                        + size + " bytes it had when opened); run again when it is quiet");
            }
            if (mismatch >= 0) {
                throw new VerificationException(path.toString(), "content differs at byte " + mismatch);
            }
        }

        private void compareAttributes(Stat a, Stat b, RelativePath path) throws VerificationException {
            compareOwnership(a, b, path);
            if (a.permissions() != b.permissions()) {
                throw differ(path, "mode", octal(a.permissions()), octal(b.permissions()));
            }
            compareMtime(a, b, path);
        }

        private void compareOwnership(Stat a, Stat b, RelativePath path) throws VerificationException {
            if (a.uid() != b.uid()) {
                throw differ(path, "owner", "uid " + Integer.toUnsignedString(a.uid()), "uid " + Integer.toUnsignedString(b.uid()));
            }
            if (a.gid() != b.gid()) {
                throw differ(path, "group", "gid " + Integer.toUnsignedString(a.gid()), "gid " + Integer.toUnsignedString(b.gid()));
            }
        }

        private void compareMtime(Stat a, Stat b, RelativePath path) throws VerificationException {
            if (a.mtimeSec() != b.mtimeSec() || a.mtimeNsec() != b.mtimeNsec()) {
                throw differ(path, "modification time", time(a), time(b));
            }
        }

        private void compareXattrs(int a, int b, RelativePath path) throws IOException {
            SortedMap<byte[], byte[]> aAttributes = fs.xattrs(a, path);
            SortedMap<byte[], byte[]> bAttributes = fs.xattrs(b, path);
            TreeSet<byte[]> names = new TreeSet<>(Arrays::compareUnsigned);
            names.addAll(aAttributes.keySet());
            names.addAll(bAttributes.keySet());
            for (byte[] name : names) {
                byte[] aValue = aAttributes.get(name);
                byte[] bValue = bAttributes.get(name);
                String what = "extended attribute " + RelativePath.display(name);
                if (bValue == null) {
                    throw new VerificationException(path.toString(), what + ": present in " + aLabel + ", absent in " + bLabel);
                }
                if (aValue == null) {
                    throw new VerificationException(path.toString(), what + ": absent in " + aLabel + ", present in " + bLabel);
                }
                if (!Arrays.equals(aValue, bValue)) {
                    throw new VerificationException(path.toString(), what + ": values differ");
                }
            }
        }

        /**
         * Hard links: each name of a multiply-linked inode must be linked to the same earlier path
         * (in walk order) in both trees, or to none in both.
         */
        private void compareLinks(Stat a, Stat b, RelativePath path) throws VerificationException {
            RelativePath aFirst = a.nlink() > 1 ? aLinks.putIfAbsent(InodeKey.of(a), path) : null;
            RelativePath bFirst = b.nlink() > 1 ? bLinks.putIfAbsent(InodeKey.of(b), path) : null;
            if (!Objects.equals(aFirst, bFirst)) {
                throw differ(path, "hard-link structure", linkWord(aFirst), linkWord(bFirst));
            }
        }

        private static String linkWord(RelativePath first) {
            return first == null ? "not a link to an earlier name" : "a hard link to " + first;
        }

        private VerificationException differ(RelativePath path, String what, String aValue, String bValue) {
            return new VerificationException(path.toString(),
                    what + " differs: " + aValue + " in " + aLabel + ", " + bValue + " in " + bLabel);
        }

        private static String octal(int mode) {
            return String.format("%04o", mode);
        }

        private static String time(Stat stat) {
            return stat.mtimeSec() + "." + String.format("%09d", stat.mtimeNsec());
        }

        private static String device(long rdev) {
            return Stat.major(rdev) + ":" + Stat.minor(rdev);
        }
    }
}
