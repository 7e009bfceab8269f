package dev.lethe.diff.packages;

import java.util.HexFormat;

/**
 * What the package database says about one absolute path.
 *
 * @param kind     how the path is owned
 * @param md5Known whether the database records an MD5 of the content: it records none for
 *                 directories, symlinks, empty directories, packages without md5sums and
 *                 {@code newconffile} conffiles
 * @param md5Hi    the first 8 bytes of the expected MD5, big-endian (0 when unknown)
 * @param md5Lo    its last 8 bytes
 * @param pkg      owning package (dpkg name without architecture, pacman directory name), or
 *                 {@code null} for {@link Kind#NOT_OWNED}
 */
public record Ownership(Kind kind, boolean md5Known, long md5Hi, long md5Lo, String pkg) {

    public enum Kind {
        /** No installed package lists the path. */
        NOT_OWNED,
        /** Listed by a package and a parent of other listed paths (or declared a directory). */
        OWNED_DIRECTORY,
        /** Listed by a package; its MD5 may be unknown (symlinks, unchecked files). */
        OWNED_FILE,
        /** A conffile; its MD5 is the checksum dpkg recorded at installation. */
        CONFFILE
    }

    public static final Ownership NOT_OWNED = new Ownership(Kind.NOT_OWNED, false, 0, 0, null);

    /**
     * With the MD5 as lowercase hex, or {@code null} when unknown. The walk compares the two longs
     * (a warm diff looks up an owner per package file: two hex strings each were a tenth of its
     * garbage); the text is for people and tests.
     */
    public Ownership(Kind kind, String md5, String pkg) {
        this(kind, md5 != null, md5 == null ? 0 : HexFormat.fromHexDigitsToLong(md5, 0, 16),
                md5 == null ? 0 : HexFormat.fromHexDigitsToLong(md5, 16, 32), pkg);
    }

    public boolean owned() {
        return kind != Kind.NOT_OWNED;
    }

    /** The expected MD5 as lowercase hex, or {@code null} when the database records none. */
    public String md5() {
        return md5Known ? HexFormat.of().toHexDigits(md5Hi) + HexFormat.of().toHexDigits(md5Lo) : null;
    }
}
