package dev.lethe.tree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The tree every copy test copies, and an account of a tree by external tools to check copies against. */
final class Trees {
    private Trees() {}

    /** A name that is not UTF-8 (bytes 0xff 0xfe), as sh's printf writes it and as Java sees the raw bytes. */
    static final String BAD_NAME_SH = "$(printf 'bad\\377\\376name')";
    static final byte[] BAD_NAME = {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, 'n', 'a', 'm', 'e'};
    static final String BAD_DIR_SH = "$(printf 'dir\\377')";
    static final byte[] BAD_DIR = {'d', 'i', 'r', (byte) 0xff};

    static final int SPARSE_SIZE = 1 << 20;
    static final String TIME = "2001-02-03 04:05:06.123456789";

    /**
     * Builds the rich tree at {@code root} (which must not exist): nested and empty directories,
     * empty, random and sparse files, hard links, symlinks (absolute to /etc, relative, dangling),
     * a fifo, a unix socket, a device node, setuid/setgid/sticky modes, foreign owners, ACLs, xattrs in the user,
     * trusted and security namespaces, non-UTF-8 names and fixed times.
     */
    static void build(Scratch scratch, Path root) {
        scratch.sh(String.join("\n",
                "mkdir '" + root + "'",
                "cd '" + root + "'",
                "mkdir -p a/b/c empty sticky shared acl-dir",
                "printf 'hello\\n' > a/b/c/file.txt",
                ": > emptyfile",
                "head -c 3000000 /dev/urandom > a/random.bin",
                "ln a/random.bin a/b/hardlink.bin",
                "ln a/b/c/file.txt linked-twice",
                "printf start > sparse",
                "truncate -s " + SPARSE_SIZE + " sparse",
                "printf end | dd of=sparse bs=1 seek=" + (SPARSE_SIZE - 3) + " conv=notrunc status=none",
                "ln -s /etc etc-link",
                "ln -s ../c/file.txt a/b/rel-link",
                "ln -s /nonexistent/dangling dangling",
                "mkfifo fifo",
                "mknod null-device c 1 3",
                "printf x > setuid && chmod 4755 setuid",
                "chmod 2775 shared && chmod 1777 sticky",
                "printf owned > owned && chown 1234:5678 owned a/b && chown -h 1234:5678 dangling",
                "setfacl -m u:1234:rwx owned",
                "setfacl -m u:1234:rwx acl-dir && setfacl -d -m g:5678:rx acl-dir",
                "printf x > acl-dir/inherited",
                "setfattr -n user.comment -v 'hello xattr' a/b/c/file.txt",
                "setfattr -n user.dir -v 1 a",
                "setfattr -n trusted.secret -v s3cr3t owned",
                "setfattr -n security.lethe-test -v label owned",
                // A file capability (cap_net_bind_service): chown removes it, so the copy must chown first.
                "printf x > capable && chown 1234:5678 capable"
                        + " && setfattr -n security.capability -v 0x0100000200040000000000000000000000000000 capable",
                "printf bytes > \"" + BAD_NAME_SH + "\"",
                "mkdir \"" + BAD_DIR_SH + "\" && printf in > \"" + BAD_DIR_SH + "/$(printf '\\376')\""));
        // A unix socket file stays behind when its channel is closed; sh has no way to make one.
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("socket")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scratch.sh(String.join("\n",
                "cd '" + root + "'",
                "touch -h -d '" + TIME + "' dangling etc-link a/b/rel-link",
                "find . -depth ! -type l -exec touch -d '" + TIME + "' {} +"));
    }

    /**
     * Everything external tools see of a tree, path by path: type, mode, owner, group, size (not
     * for directories, whose size is a filesystem detail), mtime, symlink target, link count, and
     * all extended attributes sorted by name. Two trees are faithful copies if these are equal.
     */
    static Map<String, String> describe(Scratch scratch, Path root) {
        Map<String, String> entries = new TreeMap<>();
        String listing = Scratch.run(root, List.of("find", ".", "-printf", "%P\\0%y %m %U %G %s %T@ %n %l\\0"));
        String[] fields = listing.split("\0", -1);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            String[] parts = fields[i + 1].split(" ", 8);
            if (parts[0].equals("d")) {
                parts[4] = "-";
            }
            entries.put(fields[i].isEmpty() ? "." : fields[i], String.join(" ", parts));
        }
        String dump = Scratch.run(root, List.of("getfattr", "-R", "-P", "-h", "-d", "-m", "-", "-e", "hex", "--absolute-names", "."));
        String file = null;
        Map<String, TreeSet<String>> attributes = new TreeMap<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith("# file: ")) {
                file = line.substring("# file: ".length());
                file = file.equals(".") ? "." : file.substring(2);
            } else if (!line.isBlank() && file != null) {
                attributes.computeIfAbsent(unescapeOctal(file), k -> new TreeSet<>()).add(line);
            }
        }
        attributes.forEach((path, values) -> entries.merge(path, " xattrs " + values, String::concat));
        return entries;
    }

    /** getfattr writes unusual bytes in names as \ooo. */
    private static String unescapeOctal(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && isOctal(text, i + 1)) {
                out.append((char) Integer.parseInt(text.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String text, int from) {
        if (from + 3 > text.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
