package dev.lethe.diff.packages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the installed packages of a root say its files should be: the baseline of the
 * adoption-mode diff ("everything on the root except what belongs to installed packages
 * unchanged").
 *
 * <p>Supported: dpkg ({@code var/lib/dpkg}: status, info/*.list, *.md5sums, conffiles from
 * the status file, diversions) and pacman ({@code var/lib/pacman/local/*&#47;files}, backup
 * files as conffiles; no mtree, so plain files carry no md5). rpm is only detected and
 * reported by {@link #unsupportedManagers()}.
 *
 * <p>All stored paths are canonical: absolute, normalised, and with the root's top-level
 * symlinks used as directories resolved (so {@code /bin/ls} and {@code /usr/bin/ls} match on a
 * merged-/usr root). Lookups canonicalise their argument the same way.
 */
public final class PackageBaseline {

    private static final byte DIR = PackageIndex.DIR, FILE = PackageIndex.FILE, CONF = PackageIndex.CONF;

    /** A path's record while the database is read (then frozen into the {@link PackageIndex}); md5 as two longs. */
    static final class Entry {
        byte kind;
        boolean hasMd5;
        long hi, lo;
        final int pkg;

        Entry(byte kind, int pkg) {
            this.kind = kind;
            this.pkg = pkg;
        }

        void md5(String hex) {
            if (isMd5(hex)) {
                hasMd5 = true;
                hi = HexFormat.fromHexDigitsToLong(hex, 0, 16);
                lo = HexFormat.fromHexDigitsToLong(hex, 16, 32);
            }
        }
    }

    private final Path root;
    private final Map<String, String> topLinks;
    /** Only while the database is read: what {@link #index} is frozen from. */
    private Parse parse;
    private PackageIndex index;
    private final List<String> managers = new ArrayList<>();
    private final List<String> unsupported = new ArrayList<>();

    /** The parse's working state: every path's record, then each directory's children. */
    private static final class Parse {
        final HashMap<String, Entry> entries = new HashMap<>(1 << 17);
        /** For each owned directory, the owned paths directly inside it (filled by {@link #markDirectories}). */
        final HashMap<String, List<String>> children = new HashMap<>(1 << 15);
        final List<String> packages = new ArrayList<>();
        final HashMap<String, Integer> packageIds = new HashMap<>();
    }

    private PackageBaseline(Path root) {
        this.root = root;
        this.topLinks = topLevelLinks(root);
    }

    /** Loads every package database found under {@code root}; empty if there is none. */
    public static PackageBaseline load(Path root) {
        PackageBaseline b = new PackageBaseline(root);
        b.parse = new Parse();
        try {
            Path dpkg = dpkgDirectory(root);
            if (Files.isRegularFile(dpkg.resolve("status"))) {
                b.loadDpkg(dpkg);
                b.managers.add("dpkg");
            }
            Path pacman = pacmanDirectory(root);
            if (Files.isDirectory(pacman)) {
                b.loadPacman(pacman);
                b.managers.add("pacman");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading package database under " + root, e);
        }
        b.markDirectories();
        b.index = PackageIndex.of(b.parse.entries, b.parse.children, b.parse.packages);
        b.parse = null;
        b.detectUnsupported();
        return b;
    }

    /**
     * The baseline of a root whose dpkg database (and no other) was read before into {@code index}
     * ({@link BaselineCache}); what a parse would give, without reading the database again.
     */
    static PackageBaseline ofDpkgIndex(Path root, PackageIndex index) {
        PackageBaseline b = new PackageBaseline(root);
        b.index = index;
        b.managers.add("dpkg");
        b.detectUnsupported();
        return b;
    }

    private void detectUnsupported() {
        if (Files.isDirectory(root.resolve("var/lib/rpm")) || Files.isDirectory(root.resolve("usr/lib/sysimage/rpm"))) {
            unsupported.add("rpm");
        }
    }

    static Path dpkgDirectory(Path root) {
        return root.resolve("var/lib/dpkg");
    }

    static Path pacmanDirectory(Path root) {
        return root.resolve("var/lib/pacman/local");
    }

    /** The frozen database, for {@link BaselineCache} to write. */
    PackageIndex index() {
        return index;
    }

    // ---------------------------------------------------------------- queries

    /** Package managers whose database was read (e.g. {@code ["dpkg"]}). */
    public List<String> managers() {
        return List.copyOf(managers);
    }

    /** Package managers detected on the root but not read yet (currently only "rpm"). */
    public List<String> unsupportedManagers() {
        return List.copyOf(unsupported);
    }

    /** Number of owned paths. */
    public int size() {
        return index.ownedCount();
    }

    public boolean isEmpty() {
        return index.ownedCount() == 0;
    }

    /** Every owned path, canonical; a view, not a copy. */
    public Set<String> ownedPaths() {
        return index.ownedPaths();
    }

    /**
     * The owned paths directly inside {@code directory} (canonical, absolute), so that a walk can tell
     * which package paths are missing from a directory it lists; empty for a path that owns nothing
     * below it. One canonicalisation and one hash lookup: no scan over every owned path.
     */
    public List<String> ownedChildren(String directory) {
        int node = index.find(canonical(directory));
        return node < 0 ? List.of() : index.children(node);
    }

    /** What the database says about {@code absolutePath} (no file system access). */
    public Ownership owner(String absolutePath) {
        int node = index.find(canonical(absolutePath));
        if (node < 0 || index.kind(node) == PackageIndex.NONE) {
            return Ownership.NOT_OWNED;
        }
        Ownership.Kind kind = switch (index.kind(node)) {
            case DIR -> Ownership.Kind.OWNED_DIRECTORY;
            case CONF -> Ownership.Kind.CONFFILE;
            default -> Ownership.Kind.OWNED_FILE;
        };
        boolean md5Known = index.hasMd5(node);
        return new Ownership(kind, md5Known, md5Known ? index.md5Hi(node) : 0, md5Known ? index.md5Lo(node) : 0,
                index.packageName(node));
    }

    /**
     * Whether the live {@code hostFile} (the file at {@code absolutePath} on the root, never
     * followed if it is a symlink) is what its package installed.
     * <ul>
     * <li>not owned: false;</li>
     * <li>directory: the live path is a directory;</li>
     * <li>file or conffile with md5: a regular file whose MD5 (streamed) matches;</li>
     * <li>file with unknown md5 (symlinks, packages without md5sums): it exists — dpkg records
     * nothing to compare;</li>
     * <li>conffile with unknown md5 ({@code newconffile}): false, so it is shown.</li>
     * </ul>
     */
    public boolean unchanged(String absolutePath, Path hostFile) {
        int node = index.find(canonical(absolutePath));
        if (node < 0 || index.kind(node) == PackageIndex.NONE) {
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(hostFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException ex) {
            return false;
        }
        if (index.kind(node) == DIR) {
            return a.isDirectory();
        }
        if (!index.hasMd5(node)) {
            return index.kind(node) != CONF && !a.isDirectory();
        }
        if (!a.isRegularFile()) {
            return false;
        }
        long[] live;
        try {
            live = md5Of(hostFile);
        } catch (IOException ex) {
            return false;
        }
        return live[0] == index.md5Hi(node) && live[1] == index.md5Lo(node);
    }

    /** {@link #canonical(String, Path)} with this baseline's root, using links read at load. */
    public String canonical(String path) {
        return canonical(normalize(path), topLinks);
    }

    /**
     * Normalises {@code path} (absolute, no "." / ".." / "//" / trailing slash) and resolves
     * the root's top-level symlinks when they are used as directories ({@code /bin/ls} →
     * {@code /usr/bin/ls} when {@code <root>/bin -> usr/bin}). Link targets are interpreted
     * inside the root (absolute targets relative to it, ".." clamped at it), never outside.
     * A top-level link itself ({@code /bin}) is left as is: it is a path of its own.
     */
    public static String canonical(String path, Path root) {
        return canonical(normalize(path), topLevelLinks(root));
    }

    // ---------------------------------------------------------------- canonical paths

    private static String canonical(String p, Map<String, String> links) {
        if (links.isEmpty()) {
            return p;
        }
        for (int depth = 0; depth < 16; depth++) {
            int slash = p.indexOf('/', 1);
            if (slash < 0) {
                return p; // "/" or a top-level name itself
            }
            String target = links.get(p.substring(1, slash));
            if (target == null) {
                return p;
            }
            String next = target.startsWith("/") ? target + p.substring(slash) : "/" + target + p.substring(slash);
            p = normalize(next);
        }
        return p;
    }

    /** The root's top-level symbolic links, name to target: what {@link #canonical} resolves. */
    static Map<String, String> topLevelLinks(Path root) {
        Map<String, String> links = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path child : ds) {
                if (Files.isSymbolicLink(child)) {
                    try {
                        links.put(child.getFileName().toString(), Files.readSymbolicLink(child).toString());
                    } catch (IOException ignored) {
                        // vanished or unreadable: not resolved
                    }
                }
            }
        } catch (IOException ignored) {
            // no root: nothing to resolve
        }
        return links;
    }

    /** Absolute normalised path; ".." never climbs above "/". */
    static String normalize(String path) {
        if (path.startsWith("/") && path.indexOf("//") < 0 && path.indexOf("/.") < 0
                && (path.length() == 1 || !path.endsWith("/"))) {
            return path;
        }
        ArrayList<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
            } else {
                parts.add(s);
            }
        }
        return parts.isEmpty() ? "/" : "/" + String.join("/", parts);
    }

    // ---------------------------------------------------------------- dpkg

    private record Diversion(String to, String by) {}

    private void loadDpkg(Path dpkg) throws IOException {
        Map<String, Diversion> diversions = readDiversions(dpkg.resolve("diversions"));
        Path info = dpkg.resolve("info");
        List<InstalledPackage> installed = new ArrayList<>();
        try (BufferedReader r = reader(dpkg.resolve("status"))) {
            Map<String, String> para = new HashMap<>();
            String field = null;
            StringBuilder value = new StringBuilder();
            for (String line = r.readLine(); ; line = r.readLine()) {
                if (line == null || line.isEmpty()) {
                    if (field != null) {
                        para.put(field, value.toString());
                        field = null;
                    }
                    if (!para.isEmpty()) {
                        installedPackage(para).ifPresent(installed::add);
                        para.clear();
                    }
                    if (line == null) {
                        break;
                    }
                } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    if (field != null) {
                        value.append('\n').append(line);
                    }
                } else {
                    if (field != null) {
                        para.put(field, value.toString());
                    }
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        field = null;
                        continue;
                    }
                    field = line.substring(0, colon).trim();
                    value.setLength(0);
                    value.append(line.substring(colon + 1).trim());
                }
            }
        }
        // The packages' lists are read and canonicalised on every core (most of the load), then
        // filed in status order on this thread, so that which package's md5 wins stays as it was.
        List<PackageFiles> read;
        try {
            read = installed.parallelStream().map(p -> p.read(this, info, diversions)).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (PackageFiles files : read) {
            files.file(this, diversions);
        }
    }

    /** An installed package from the status file, its lists not read yet. */
    private record InstalledPackage(String name, int id, String architecture, String conffiles) {

        PackageFiles read(PackageBaseline baseline, Path info, Map<String, Diversion> diversions) {
            try {
                return readFiles(baseline, info, diversions);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private PackageFiles readFiles(PackageBaseline baseline, Path info, Map<String, Diversion> diversions)
                throws IOException {
            String base = name;
            if (architecture != null && !architecture.isEmpty()
                    && Files.exists(info.resolve(name + ":" + architecture + ".list"))) {
                base = name + ":" + architecture;
            }
            List<String> listed = new ArrayList<>();
            Path list = info.resolve(base + ".list");
            if (Files.isRegularFile(list)) {
                try (BufferedReader r = reader(list)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (!line.isEmpty()) {
                            listed.add(hashed(divert(baseline.canonical(line), name, diversions)));
                        }
                    }
                }
            }
            List<String> summed = new ArrayList<>();
            List<String> md5s = new ArrayList<>();
            Path sums = info.resolve(base + ".md5sums");
            if (Files.isRegularFile(sums)) {
                try (BufferedReader r = reader(sums)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        // "<32 hex>  relative/path"
                        if (line.length() < 35) {
                            continue;
                        }
                        String rel = line.substring(32).stripLeading();
                        if (rel.startsWith("*")) {
                            rel = rel.substring(1);
                        }
                        summed.add(hashed(divert(baseline.canonical("/" + rel), name, diversions)));
                        md5s.add(line.substring(0, 32));
                    }
                }
            }
            return new PackageFiles(this, listed, summed, md5s);
        }
    }

    /** Computed here, on a reading thread, so that filing the path in the map does not. */
    private static String hashed(String path) {
        path.hashCode();
        return path;
    }

    /** What one package's list and md5sums say, canonical, in file order. */
    private record PackageFiles(InstalledPackage pkg, List<String> listed, List<String> summed, List<String> md5s) {

        void file(PackageBaseline baseline, Map<String, Diversion> diversions) {
            for (String path : listed) {
                baseline.put(path, FILE, pkg.id(), null);
            }
            for (int i = 0; i < summed.size(); i++) {
                baseline.put(summed.get(i), FILE, pkg.id(), md5s.get(i));
            }
            if (pkg.conffiles() != null) {
                for (String line : pkg.conffiles().split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 2 || !f[0].startsWith("/")) {
                        continue;
                    }
                    if (f.length >= 3 && f[2].equals("remove-on-upgrade")) {
                        continue;
                    }
                    // an obsolete conffile is still on disk and still owned
                    baseline.put(divert(baseline.canonical(f[0]), pkg.name(), diversions), CONF, pkg.id(), f[1]);
                }
            }
        }
    }

    /** Installed means state "installed" with flag "ok"; want install or hold. */
    static boolean installed(String status) {
        if (status == null) {
            return false;
        }
        String[] s = status.trim().split("\\s+");
        return s.length == 3 && (s[0].equals("install") || s[0].equals("hold"))
                && s[1].equals("ok") && s[2].equals("installed");
    }

    private Optional<InstalledPackage> installedPackage(Map<String, String> para) {
        String name = para.get("Package");
        if (name == null || !installed(para.get("Status"))) {
            return Optional.empty();
        }
        return Optional.of(new InstalledPackage(name, packageId(name), para.get("Architecture"),
                para.get("Conffiles")));
    }

    /** Packages other than the diverting one install {@code path} at the diverted-to path. */
    private static String divert(String path, String pkg, Map<String, Diversion> diversions) {
        if (diversions.isEmpty()) {
            return path;
        }
        Diversion d = diversions.get(path);
        if (d == null || d.by().equals(pkg)) {
            return path;
        }
        return d.to();
    }

    private Map<String, Diversion> readDiversions(Path file) throws IOException {
        Map<String, Diversion> d = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return d;
        }
        try (BufferedReader r = reader(file)) {
            while (true) {
                String from = r.readLine(), to = r.readLine(), by = r.readLine();
                if (from == null || to == null || by == null) {
                    break;
                }
                int colon = by.indexOf(':'); // ":" alone is a local (admin) diversion
                String pkg = colon > 0 ? by.substring(0, colon) : by;
                d.put(canonical(from), new Diversion(canonical(to), pkg));
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- pacman

    private void loadPacman(Path local) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(local)) {
            for (Path dir : ds) {
                Path files = dir.resolve("files");
                if (!Files.isRegularFile(files)) {
                    continue;
                }
                int pkg = packageId(dir.getFileName().toString());
                String section = "";
                try (BufferedReader r = reader(files)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.isEmpty()) {
                            continue;
                        }
                        if (line.startsWith("%") && line.endsWith("%")) {
                            section = line;
                        } else if (section.equals("%FILES%")) {
                            put(canonical("/" + line), line.endsWith("/") ? DIR : FILE, pkg, null);
                        } else if (section.equals("%BACKUP%")) {
                            int tab = line.lastIndexOf('\t');
                            if (tab > 0) {
                                put(canonical("/" + line.substring(0, tab)), CONF, pkg, line.substring(tab + 1));
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- storage

    private int packageId(String name) {
        return parse.packageIds.computeIfAbsent(name, n -> {
            parse.packages.add(n);
            return parse.packages.size() - 1;
        });
    }

    private void put(String path, byte kind, int pkg, String md5) {
        Entry e = parse.entries.get(path);
        if (e == null) {
            e = new Entry(kind, pkg);
            parse.entries.put(path, e);
        } else if (kind != FILE) {
            e.kind = kind; // a conffile stays a conffile whoever else lists it
        }
        if (md5 != null && (!e.hasMd5 || kind == CONF)) {
            e.md5(md5);
        }
    }

    /**
     * Every listed path that is an ancestor of another listed path is a directory; and each path is
     * filed under its parent, for {@link #ownedChildren}.
     */
    private void markDirectories() {
        HashMap<String, Entry> entries = parse.entries;
        HashMap<String, List<String>> children = parse.children;
        for (String p : List.copyOf(entries.keySet())) {
            if (!p.equals("/")) {
                int last = p.lastIndexOf('/');
                children.computeIfAbsent(last == 0 ? "/" : p.substring(0, last), key -> new ArrayList<>(4)).add(p);
            }
            int slash = p.lastIndexOf('/');
            while (slash >= 0) {
                String parent = slash == 0 ? "/" : p.substring(0, slash);
                Entry e = entries.get(parent);
                if (e != null) {
                    if (e.kind == DIR) {
                        break; // its ancestors were marked when it was
                    }
                    e.kind = DIR;
                    e.hasMd5 = false;
                }
                if (slash == 0) {
                    break;
                }
                p = parent;
                slash = p.lastIndexOf('/');
            }
        }
    }

    // ---------------------------------------------------------------- md5

    /**
     * 32 hex digits ("newconffile" and the like are not). Checked digit by digit: the parse it
     * replaced (substring, then {@code Long.parseUnsignedLong}) was a twelfth of the database load.
     */
    private static boolean isMd5(String hex) {
        if (hex == null || hex.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            if (!HexFormat.isHexDigit(hex.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Streams the file (never following a final symlink) through MD5. */
    static long[] md5Of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        ByteBuffer d = ByteBuffer.wrap(md.digest());
        return new long[] {d.getLong(), d.getLong()};
    }

    private static BufferedReader reader(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        // malformed bytes are replaced rather than failing the whole load
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public String toString() {
        return "PackageBaseline[" + root + ", " + managers + ", " + index.ownedCount() + " paths, "
                + index.packageCount() + " packages]";
    }
}
