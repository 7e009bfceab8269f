package dev.lethe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Manifests of directory trees, to compare content, type, owner and mode before and after. */
public final class Trees {
    private Trees() {}

    /** Relative path → "type uid:gid mode content-hash-or-link-target", without following links. */
    public static Map<String, String> manifest(Path top) throws IOException {
        Map<String, String> manifest = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                manifest.put(top.relativize(path).toString(), describe(path));
            }
        }
        return manifest;
    }

    public static String describe(Path path) throws IOException {
        Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) unix.get("mode");
        String owner = unix.get("uid") + ":" + unix.get("gid") + " " + String.format("%04o", mode & 07777);
        if (Files.isSymbolicLink(path)) {
            return "link " + owner + " -> " + Files.readSymbolicLink(path);
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return "dir " + owner;
        }
        return "file " + owner + " " + sha256(path);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a tree of {@code files} files (some of them hard links, some owned by others) under {@code top}. */
    public static void generate(Path top, int files, long seed) throws IOException {
        java.util.Random random = new java.util.Random(seed);
        Files.createDirectories(top);
        for (int i = 0; i < files; i++) {
            Path dir = top.resolve("d" + (i % 37)).resolve("e" + (i % 5));
            Files.createDirectories(dir);
            Path file = dir.resolve("f" + i);
            byte[] content = new byte[random.nextInt(i % 50 == 0 ? 200_000 : 3000)];
            random.nextBytes(content);
            Files.write(file, content);
            if (i % 7 == 0) {
                Files.setAttribute(file, "unix:uid", 1000 + i % 3, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(file, "unix:mode", 0600, LinkOption.NOFOLLOW_LINKS);
            }
            if (i % 101 == 0) {
                Files.createSymbolicLink(dir.resolve("link" + i), Path.of("f" + i));
            }
        }
    }
}
