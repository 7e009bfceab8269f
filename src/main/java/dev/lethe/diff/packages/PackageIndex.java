package dev.lethe.diff.packages;

import java.nio.charset.StandardCharsets;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The package database as the diff queries it, frozen once read: every path in flat arrays, found
 * through one open-addressed table of positions, and each directory's owned children side by side
 * so that {@link #ownedChildren} is a view, not a list built per directory. The same arrays are what
 * {@link BaselineCache} writes and reads back, so a cached baseline answers exactly as a parsed one.
 *
 * <p>A node is an owned path, or a directory that holds owned paths without being listed itself
 * ({@link #NONE}: it answers "not owned" but has children).
 */
final class PackageIndex {

    static final byte NONE = 0, DIR = 1, FILE = 2, CONF = 3;
    private static final byte KIND = 0x0f, HAS_MD5 = 0x10;

    private final String[] paths;
    private final byte[] flags;
    private final int[] packageOf;
    /** Two longs per node, the MD5's big-endian halves. */
    private final long[] md5;
    private final int[] childStart;
    private final int[] childCount;
    private final String[] packages;
    private final int owned;
    /** Node + 1 per slot (0: free); a power of two, at least twice the nodes. */
    private final int[] slots;

    private PackageIndex(String[] paths, byte[] flags, int[] packageOf, long[] md5, int[] childStart, int[] childCount,
            String[] packages) {
        this.paths = paths;
        this.flags = flags;
        this.packageOf = packageOf;
        this.md5 = md5;
        this.childStart = childStart;
        this.childCount = childCount;
        this.packages = packages;
        int ownedNodes = 0;
        for (byte f : flags) {
            if ((f & KIND) != NONE) {
                ownedNodes++;
            }
        }
        this.owned = ownedNodes;
        this.slots = new int[Integer.highestOneBit(Math.max(4, paths.length) * 2 - 1) << 1];
        for (int node = 0; node < paths.length; node++) {
            int slot = slotOf(paths[node]);
            if (slots[slot] != 0) {
                throw new IllegalArgumentException("path listed twice in the package index: " + paths[node]);
            }
            slots[slot] = node + 1;
        }
    }

    /** What a parse found, after its directories are marked: one node per path and per parent of one. */
    static PackageIndex of(Map<String, PackageBaseline.Entry> entries, Map<String, List<String>> children,
            List<String> packages) {
        int synthesized = 0;
        for (String parent : children.keySet()) {
            if (!entries.containsKey(parent)) {
                synthesized++;
            }
        }
        int nodes = entries.size() + synthesized;
        String[] paths = new String[nodes];
        int next = 0;
        // Every owned path but "/" is in exactly one parent's list: the lists, one after another,
        // place each directory's children side by side.
        for (List<String> inside : children.values()) {
            for (String path : inside) {
                paths[next++] = path;
            }
        }
        if (entries.containsKey("/")) {
            paths[next++] = "/";
        }
        for (String parent : children.keySet()) {
            if (!entries.containsKey(parent)) {
                paths[next++] = parent;
            }
        }
        if (next != nodes) {
            throw new IllegalStateException("package index: " + next + " paths placed of " + nodes);
        }
        byte[] flags = new byte[nodes];
        int[] packageOf = new int[nodes];
        long[] md5 = new long[2 * nodes];
        for (int node = 0; node < nodes; node++) {
            PackageBaseline.Entry e = entries.get(paths[node]);
            if (e != null) {
                flags[node] = (byte) (e.kind | (e.hasMd5 ? HAS_MD5 : 0));
                packageOf[node] = e.pkg;
                md5[2 * node] = e.hi;
                md5[2 * node + 1] = e.lo;
            }
        }
        int[] childStart = new int[nodes];
        int[] childCount = new int[nodes];
        PackageIndex index = new PackageIndex(paths, flags, packageOf, md5, childStart, childCount,
                packages.toArray(String[]::new));
        int start = 0;
        for (Map.Entry<String, List<String>> parent : children.entrySet()) {
            int node = index.find(parent.getKey());
            childStart[node] = start;
            childCount[node] = parent.getValue().size();
            start += parent.getValue().size();
        }
        return index;
    }

    // ---------------------------------------------------------------- lookups

    private int slotOf(String path) {
        int mask = slots.length - 1;
        int h = path.hashCode();
        int slot = (h ^ (h >>> 16)) & mask;
        while (slots[slot] != 0 && !paths[slots[slot] - 1].equals(path)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** The node of {@code canonicalPath}, or -1. */
    int find(String canonicalPath) {
        return slots[slotOf(canonicalPath)] - 1;
    }

    byte kind(int node) {
        return (byte) (flags[node] & KIND);
    }

    boolean hasMd5(int node) {
        return (flags[node] & HAS_MD5) != 0;
    }

    long md5Hi(int node) {
        return md5[2 * node];
    }

    long md5Lo(int node) {
        return md5[2 * node + 1];
    }

    String packageName(int node) {
        return packages[packageOf[node]];
    }

    /** The owned paths directly inside the directory at {@code node}: a view over the index. */
    List<String> children(int node) {
        int count = childCount[node];
        return count == 0 ? List.of()
                : Collections.unmodifiableList(Arrays.asList(paths).subList(childStart[node], childStart[node] + count));
    }

    int ownedCount() {
        return owned;
    }

    int packageCount() {
        return packages.length;
    }

    /** Every owned path; a view. */
    Set<String> ownedPaths() {
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                if (!(o instanceof String path)) {
                    return false;
                }
                int node = find(path);
                return node >= 0 && kind(node) != NONE;
            }

            @Override
            public int size() {
                return owned;
            }

            @Override
            public Iterator<String> iterator() {
                return new Iterator<>() {
                    private int next = advance(0);

                    private int advance(int from) {
                        while (from < paths.length && kind(from) == NONE) {
                            from++;
                        }
                        return from;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < paths.length;
                    }

                    @Override
                    public String next() {
                        if (next >= paths.length) {
                            throw new NoSuchElementException();
                        }
                        String path = paths[next];
                        next = advance(next + 1);
                        return path;
                    }
                };
            }
        };
    }

    // ---------------------------------------------------------------- the cache's body

    /**
     * Appends the index: the package names, then per node its path (the bytes it shares with the
     * previous node's path, as a count, and the rest), flags, package, MD5 and children. Siblings
     * sit side by side, so most of a path is shared with the one before.
     */
    void writeTo(Encoder out) {
        out.varint(packages.length);
        for (String name : packages) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            out.varint(utf8.length);
            out.bytes(utf8, 0, utf8.length);
        }
        out.varint(paths.length);
        byte[] previous = new byte[0];
        for (int node = 0; node < paths.length; node++) {
            byte[] path = paths[node].getBytes(StandardCharsets.UTF_8);
            int shared = Arrays.mismatch(previous, path);
            if (shared < 0) {
                shared = path.length;
            }
            out.varint(shared);
            out.varint(path.length - shared);
            out.bytes(path, shared, path.length - shared);
            out.u8(flags[node]);
            if (kind(node) != NONE) {
                out.varint(packageOf[node]);
            }
            if (hasMd5(node)) {
                out.u64(md5[2 * node]);
                out.u64(md5[2 * node + 1]);
            }
            out.varint(childCount[node]);
            if (childCount[node] > 0) {
                out.varint(childStart[node]);
            }
            previous = path;
        }
    }

    /** The index {@link #writeTo} wrote; throws on anything out of place (the caller ignores such a cache). */
    static PackageIndex readFrom(Decoder in) {
        int packageCount = in.count();
        String[] packages = new String[packageCount];
        for (int i = 0; i < packageCount; i++) {
            int length = in.count();
            packages[i] = in.string(length);
        }
        int nodes = in.count();
        String[] paths = new String[nodes];
        byte[] flags = new byte[nodes];
        int[] packageOf = new int[nodes];
        long[] md5 = new long[2 * nodes];
        int[] childStart = new int[nodes];
        int[] childCount = new int[nodes];
        byte[] path = new byte[256];
        int length = 0;
        for (int node = 0; node < nodes; node++) {
            int shared = in.count();
            int rest = in.count();
            if (shared > length) {
                throw new IllegalArgumentException("package index: node " + node + " shares more than its predecessor has");
            }
            if (shared + rest > path.length) {
                path = Arrays.copyOf(path, Math.max(path.length * 2, shared + rest));
            }
            in.bytes(path, shared, rest);
            length = shared + rest;
            paths[node] = new String(path, 0, length, StandardCharsets.UTF_8);
            byte f = (byte) in.u8();
            int kind = f & KIND;
            if (kind > CONF || (f & ~(KIND | HAS_MD5)) != 0) {
                throw new IllegalArgumentException("package index: node " + node + " has flags " + f);
            }
            flags[node] = f;
            if (kind != NONE) {
                packageOf[node] = in.count();
                if (packageOf[node] >= packageCount) {
                    throw new IllegalArgumentException("package index: node " + node + " names package " + packageOf[node]);
                }
            }
            if ((f & HAS_MD5) != 0) {
                md5[2 * node] = in.u64();
                md5[2 * node + 1] = in.u64();
            }
            childCount[node] = in.count();
            if (childCount[node] > 0) {
                childStart[node] = in.count();
                if ((long) childStart[node] + childCount[node] > nodes) {
                    throw new IllegalArgumentException("package index: node " + node + " has children beyond the end");
                }
            }
        }
        return new PackageIndex(paths, flags, packageOf, md5, childStart, childCount, packages);
    }

    /** A growing byte array: a cache of a million paths is written in one piece. */
    static final class Encoder {
        private byte[] buffer = new byte[1 << 16];
        private int size;

        private void room(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }

        void u8(int value) {
            room(1);
            buffer[size++] = (byte) value;
        }

        void u32(int value) {
            room(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buffer[size++] = (byte) (value >>> shift);
            }
        }

        void u64(long value) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer[size++] = (byte) (value >>> shift);
            }
        }

        /** An unsigned LEB128 number: most counts here fit one byte. */
        void varint(long value) {
            room(10);
            while ((value & ~0x7fL) != 0) {
                buffer[size++] = (byte) ((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            buffer[size++] = (byte) value;
        }

        void bytes(byte[] source, int offset, int length) {
            room(length);
            System.arraycopy(source, offset, buffer, size, length);
            size += length;
        }

        void string(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length);
            bytes(utf8, 0, utf8.length);
        }

        int size() {
            return size;
        }

        byte[] buffer() {
            return buffer;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buffer, size);
        }
    }

    /** Reads what an {@link Encoder} wrote, never past {@code end}: a short or damaged body throws. */
    static final class Decoder {
        private final byte[] bytes;
        private int position;
        private final int end;

        Decoder(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        private void need(int count) {
            if (count < 0 || count > end - position) {
                throw new IllegalArgumentException("package index ends early at byte " + position);
            }
        }

        int u8() {
            need(1);
            return bytes[position++] & 0xff;
        }

        int u32() {
            need(4);
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value = (value << 8) | (bytes[position++] & 0xff);
            }
            return value;
        }

        long u64() {
            need(8);
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (bytes[position++] & 0xff);
            }
            return value;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("package index: a number longer than 64 bits at byte " + position);
        }

        /** A varint that counts something held in this file: never negative, never more than an int. */
        int count() {
            long value = varint();
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("package index: count " + value + " at byte " + position);
            }
            return (int) value;
        }

        void bytes(byte[] target, int offset, int length) {
            need(length);
            System.arraycopy(bytes, position, target, offset, length);
            position += length;
        }

        String string(int length) {
            need(length);
            String text = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return text;
        }

        byte[] slice(int length) {
            need(length);
            byte[] slice = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return slice;
        }

        int position() {
            return position;
        }
    }
}
