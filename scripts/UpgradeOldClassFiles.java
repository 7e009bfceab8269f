import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.constant.ClassDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step (scripts/build), not part of lethe: rewrites in place the classes of each jar given
 * that are older than Java 6 (class file version below 50) as Java 8 class files (52) with stack map
 * frames, every method's bytecode and exception table unchanged.
 *
 * <p>Why: JDK 25's AOT cache keeps only classes it can verify when it is written, which excludes
 * those older than version 50 ({@code -Xlog:aot}: "Skipping ...: Old class has been linked").
 * picocli 4.7 is compiled for Java 5 (49), so every hand-run command loaded its ~180 classes from the
 * jar, verified them with the old inference verifier and ran them cold. Version 52 rather than 50:
 * from 51 on, JSR/RET are illegal (this step refuses a class using them rather than inline them) and
 * a class is type-checked against its frames with no fallback to the old verifier.
 *
 * <p>Every other entry (the manifest, {@code module-info}, resources, directories) is copied byte for
 * byte, in the jar's order, with its time. A jar with no old class is not written at all, so running
 * this again changes nothing. Each rewritten class must pass the class-file verifier and keep its
 * bytecode byte for byte; anything else fails the step (exit 1), the jar untouched.
 *
 * <p>Usage: {@code java scripts/UpgradeOldClassFiles.java JAR...} with a JDK 25 (java.lang.classfile).
 */
public final class UpgradeOldClassFiles {
    private UpgradeOldClassFiles() {}

    /** The oldest class file version the AOT cache verifies at dump time (HotSpot's JAVA_6_VERSION). */
    static final int OLDEST_CACHEABLE = ClassFile.JAVA_6_VERSION;
    static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: java scripts/UpgradeOldClassFiles.java JAR...");
            System.exit(2);
        }
        int exit = 0;
        for (String jar : args) {
            try {
                System.out.println(jar + ": " + upgrade(Path.of(jar)));
            } catch (IOException | RuntimeException e) {
                System.err.println("UpgradeOldClassFiles: " + jar + ": " + e.getMessage());
                exit = 1;
            }
        }
        System.exit(exit);
    }

    /** Upgrades the jar's old classes in place; says what it did. */
    static String upgrade(Path jar) throws IOException {
        Map<ZipEntry, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                try (var in = zip.getInputStream(entry)) {
                    entries.put(entry, in.readAllBytes());
                }
            }
        }
        Map<String, byte[]> byName = new LinkedHashMap<>();
        entries.forEach((entry, bytes) -> byName.put(entry.getName(), bytes));
        List<ZipEntry> old = entries.keySet().stream().filter(e -> isOldClass(entries.get(e))).toList();
        if (old.isEmpty()) {
            return "no class older than Java 6, left as it is";
        }
        if (byName.keySet().stream().anyMatch(UpgradeOldClassFiles::isSignature)) {
            throw new IllegalStateException("the jar is signed: rewriting its classes would break the signature");
        }

        // Frames need the common superclass of two types where branches meet: the jar's own classes
        // are read from the jar, the JDK's from the running JDK.
        ClassHierarchyResolver resolver = ClassHierarchyResolver.ofResourceParsing((ClassDesc desc) -> {
            String descriptor = desc.descriptorString();
            byte[] bytes = byName.get(descriptor.substring(1, descriptor.length() - 1) + ".class");
            return bytes == null ? null : new ByteArrayInputStream(bytes);
        }).orElse(ClassHierarchyResolver.defaultResolver()).cached();
        ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                ClassFile.ClassHierarchyResolverOption.of(resolver));
        ClassTransform toTarget = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(TARGET, 0);
            } else {
                builder.with(element);
            }
        };
        // Rebuilding every method body is what makes the frames: a body passed through untouched
        // would be copied as it is, without them.
        ClassTransform transform = toTarget.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL));

        for (ZipEntry entry : old) {
            ClassModel before = classFile.parse(entries.get(entry));
            byte[] upgraded = classFile.transformClass(before, transform);
            var errors = classFile.verify(upgraded);
            if (!errors.isEmpty()) {
                throw new IllegalStateException(entry.getName() + " does not verify once upgraded: " + errors.getFirst().getMessage());
            }
            requireSameCode(entry.getName(), before, classFile.parse(upgraded));
            entries.put(entry, upgraded);
        }
        write(jar, entries);
        int version = classFile.parse(entries.get(old.getFirst())).majorVersion();
        return old.size() + " classes older than Java 6 rewritten as class file version " + version + " with stack map frames";
    }

    static boolean isOldClass(byte[] bytes) {
        return bytes.length >= 8 && (bytes[0] & 0xff) == 0xca && (bytes[1] & 0xff) == 0xfe && (bytes[2] & 0xff) == 0xba
                && (bytes[3] & 0xff) == 0xbe && ((bytes[6] & 0xff) << 8 | (bytes[7] & 0xff)) < OLDEST_CACHEABLE;
    }

    static boolean isSignature(String name) {
        return name.startsWith("META-INF/") && name.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
    }

    /**
     * The same fields and methods, and in each method the same bytecode (byte for byte: the constant
     * pool is extended, never renumbered) and exception table: what changes is the version, the
     * frames and the stack size the frames were computed with.
     */
    static void requireSameCode(String name, ClassModel before, ClassModel after) {
        require(before.flags().flagsMask() == after.flags().flagsMask(), name, "its access flags changed");
        require(before.fields().size() == after.fields().size(), name, "its fields changed");
        for (int i = 0; i < before.fields().size(); i++) {
            var field = before.fields().get(i);
            var other = after.fields().get(i);
            require(field.fieldName().equalsString(other.fieldName().stringValue())
                    && field.fieldType().equalsString(other.fieldType().stringValue())
                    && field.flags().flagsMask() == other.flags().flagsMask(), name, "field " + field.fieldName() + " changed");
        }
        require(before.methods().size() == after.methods().size(), name, "its methods changed");
        for (int i = 0; i < before.methods().size(); i++) {
            MethodModel method = before.methods().get(i);
            MethodModel other = after.methods().get(i);
            String what = "method " + method.methodName() + method.methodType();
            require(method.methodName().equalsString(other.methodName().stringValue())
                    && method.methodType().equalsString(other.methodType().stringValue())
                    && method.flags().flagsMask() == other.flags().flagsMask(), name, what + " changed");
            var code = method.findAttribute(Attributes.code());
            var otherCode = other.findAttribute(Attributes.code());
            require(code.isPresent() == otherCode.isPresent(), name, what + " gained or lost its code");
            if (code.isPresent()) {
                require(Arrays.equals(code.get().codeArray(), otherCode.get().codeArray()), name, what + ": its bytecode changed");
                require(handlers(code.get()).equals(handlers(otherCode.get())), name, what + ": its exception table changed");
                require(otherCode.get().findAttribute(Attributes.stackMapTable()).isPresent() || !needsFrames(code.get()),
                        name, what + " has no stack map frames");
            }
        }
    }

    private static List<List<Object>> handlers(CodeAttribute code) {
        List<List<Object>> handlers = new ArrayList<>();
        for (var handler : code.exceptionHandlers()) {
            handlers.add(List.of(code.labelToBci(handler.tryStart()), code.labelToBci(handler.tryEnd()),
                    code.labelToBci(handler.handler()), handler.catchType().map(ClassEntry::asInternalName).orElse("any")));
        }
        return handlers;
    }

    /** A method with a branch or a handler needs frames; straight-line code has none to record. */
    private static boolean needsFrames(CodeAttribute code) {
        return !code.exceptionHandlers().isEmpty() || code.elementStream().anyMatch(e ->
                e instanceof java.lang.classfile.instruction.BranchInstruction
                        || e instanceof java.lang.classfile.instruction.TableSwitchInstruction
                        || e instanceof java.lang.classfile.instruction.LookupSwitchInstruction);
    }

    private static void require(boolean condition, String name, String problem) {
        if (!condition) {
            throw new IllegalStateException(name + ": " + problem + " in the upgrade");
        }
    }

    /** Writes the entries, in their order and with their times, to a new file that replaces the jar. */
    private static void write(Path jar, Map<ZipEntry, byte[]> entries) throws IOException {
        Path written = Files.createTempFile(jar.toAbsolutePath().getParent(), jar.getFileName() + ".", ".tmp");
        try {
            Files.setPosixFilePermissions(written, Files.getPosixFilePermissions(jar));
            try (var out = new ZipOutputStream(Files.newOutputStream(written))) {
                for (var item : entries.entrySet()) {
                    ZipEntry entry = new ZipEntry(item.getKey());
                    byte[] bytes = item.getValue();
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    entry.setSize(bytes.length);
                    entry.setCrc(crc.getValue());
                    entry.setCompressedSize(-1);
                    out.putNextEntry(entry);
                    out.write(bytes);
                    out.closeEntry();
                }
            }
            Files.move(written, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(written);
        }
    }
}
