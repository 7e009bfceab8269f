package dev.lethe.diff.packages;

/**
 * What the package database says about one absolute path.
 *
 * @param kind    how the path is owned
 * @param md5     expected lowercase hex MD5 of the content, or {@code null} when the database
 *                records none (directories, symlinks, empty directories, packages without
 *                md5sums, {@code newconffile} conffiles)
 * @param pkg     owning package (dpkg name without architecture, pacman directory name), or
 *                {@code null} for {@link Kind#NOT_OWNED}
 */
public record Ownership(Kind kind, String md5, String pkg) {

    public enum Kind {
        /** No installed package lists the path. */
        NOT_OWNED,
        /** Listed by a package and a parent of other listed paths (or declared a directory). */
        OWNED_DIRECTORY,
        /** Listed by a package; {@link #md5()} may be null (symlinks, unchecked files). */
        OWNED_FILE,
        /** A conffile; {@link #md5()} is the checksum dpkg recorded at installation. */
        CONFFILE
    }

    public static final Ownership NOT_OWNED = new Ownership(Kind.NOT_OWNED, null, null);

    public boolean owned() {
        return kind != Kind.NOT_OWNED;
    }

    public boolean md5Known() {
        return md5 != null;
    }
}
