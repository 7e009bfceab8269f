package dev.lethe.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * scripts/UpgradeOldClassFiles.java, the build step that lets the AOT cache keep picocli's classes,
 * run on the picocli jar lethe depends on: what it changes in the jar, and that lethe's command line
 * behaves the same on the result, run in JVMs of their own that verify every class they load.
 */
class UpgradeOldClassFilesTest {

    private static final Path TOOL = Path.of("scripts", "UpgradeOldClassFiles.java");

    @TempDir
    static Path scratch;

    private static Path original;
    private static Path upgraded;
    private static String report;

    @BeforeAll
    static void upgradeACopyOfPicocli() throws Exception {
        original = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        upgraded = scratch.resolve(original.getFileName());
        Files.copy(original, upgraded);
        report = runTool(upgraded);
    }

    @Test
    void picocliIsOlderThanTheAotCacheAccepts() throws Exception {
        // If this fails, picocli is built for Java 6 or later now and the build step has nothing left to do.
        Map<String, Integer> versions = classVersions(original);
        assertThat(versions.values()).filteredOn(version -> version < ClassFile.JAVA_6_VERSION).hasSizeGreaterThan(100);
    }

    @Test
    void everyOldClassBecomesAJava8ClassWithFrames() throws Exception {
        Map<String, Integer> before = classVersions(original);
        Map<String, Integer> after = classVersions(upgraded);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        before.forEach((name, version) -> assertThat(after.get(name)).as(name)
                .isEqualTo(version < ClassFile.JAVA_6_VERSION ? ClassFile.JAVA_8_VERSION : version));
        assertThat(report).contains(before.values().stream().filter(v -> v < ClassFile.JAVA_6_VERSION).count()
                + " classes older than Java 6 rewritten as class file version 52");

        ClassFile classFile = ClassFile.of();
        int withFrames = 0;
        for (Map.Entry<String, byte[]> entry : entries(upgraded).entrySet()) {
            if (!entry.getKey().endsWith(".class") || entry.getKey().endsWith("module-info.class")) {
                continue;
            }
            assertThat(classFile.verify(entry.getValue())).as(entry.getKey()).isEmpty();
            ClassModel model = classFile.parse(entry.getValue());
            for (MethodModel method : model.methods()) {
                var code = method.findAttribute(Attributes.code());
                if (code.isPresent() && code.get().findAttribute(Attributes.stackMapTable()).isPresent()) {
                    withFrames++;
                }
            }
        }
        assertThat(withFrames).as("methods with stack map frames").isGreaterThan(500);
    }

    @Test
    void theBytecodeOfEveryMethodIsTheOriginals() throws Exception {
        Map<String, byte[]> before = entries(original);
        Map<String, byte[]> after = entries(upgraded);
        ClassFile classFile = ClassFile.of();
        int methods = 0;
        for (String name : before.keySet()) {
            if (!name.endsWith(".class")) {
                continue;
            }
            List<MethodModel> old = classFile.parse(before.get(name)).methods();
            List<MethodModel> now = classFile.parse(after.get(name)).methods();
            assertThat(now).as(name).hasSameSizeAs(old);
            for (int i = 0; i < old.size(); i++) {
                assertThat(now.get(i).methodName().stringValue()).isEqualTo(old.get(i).methodName().stringValue());
                assertThat(code(now.get(i))).as(name + " " + old.get(i).methodName()).isEqualTo(code(old.get(i)));
                methods++;
            }
        }
        assertThat(methods).isGreaterThan(1000);
    }

    @Test
    void everythingButTheOldClassesIsCopiedByteForByteInItsOrder() throws Exception {
        Map<String, byte[]> before = entries(original);
        Map<String, byte[]> after = entries(upgraded);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        assertThat(after.keySet()).startsWith("META-INF/", "META-INF/MANIFEST.MF").contains("META-INF/versions/9/module-info.class");
        int copied = 0;
        for (String name : before.keySet()) {
            if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
                copied++;
            }
        }
        assertThat(copied).isGreaterThanOrEqualTo(5);
        try (ZipFile before2 = new ZipFile(original.toFile()); ZipFile after2 = new ZipFile(upgraded.toFile())) {
            assertThat(after2.getEntry("META-INF/MANIFEST.MF").getLastModifiedTime())
                    .isEqualTo(before2.getEntry("META-INF/MANIFEST.MF").getLastModifiedTime());
        }
        assertThat(Files.getPosixFilePermissions(upgraded)).isEqualTo(Files.getPosixFilePermissions(original));
    }

    @Test
    void aJarWithNoOldClassIsNotWrittenAgain() throws Exception {
        Path again = scratch.resolve("again.jar");
        Files.copy(upgraded, again);
        FileTime time = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(again, time);
        byte[] bytes = Files.readAllBytes(again);

        assertThat(runTool(again)).contains("no class older than Java 6, left as it is");
        assertThat(Files.getLastModifiedTime(again)).isEqualTo(time);
        assertThat(Files.readAllBytes(again)).isEqualTo(bytes);
    }

    @Test
    void lethesCommandLineBehavesTheSameOnTheUpgradedJar() throws Exception {
        List<List<String>> commands = List.of(List.of("--help"), List.of("plan", "--help"), List.of("archive", "restore", "--help"),
                List.of("--version"), List.of("frobnicate"), List.of("diff", "--since"), List.of("status", "--no-such-option"),
                List.of("check", "--config", scratch.resolve("missing.toml").toString()));
        for (List<String> command : commands) {
            Run before = lethe(original, command);
            Run after = lethe(upgraded, command);
            assertThat(after.exit() + "\n" + after.out() + after.err()).as(String.join(" ", command))
                    .isEqualTo(before.exit() + "\n" + before.out() + before.err());
            assertThat(after.picocliFrom()).as("where picocli came from").containsOnly("file:" + upgraded);
        }
        Run help = lethe(upgraded, List.of("--help"));
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: lethe", "Exit codes:");
        assertThat(lethe(upgraded, List.of("frobnicate")).exit()).isEqualTo(2);
    }

    private record Run(int exit, String out, String err, List<String> picocliFrom) {}

    /** lethe's Main in a JVM of its own, with this picocli jar in place of the test's. */
    private static Run lethe(Path picocli, List<String> args) throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().equals(original) ? picocli.toString() : entry)
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        Path classes = scratch.resolve("classes.log");
        Files.deleteIfExists(classes);
        List<String> command = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:file=" + classes, "-cp", classPath, "dev.lethe.cli.Main"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectOutput(scratch.resolve("out").toFile())
                .redirectError(scratch.resolve("err").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("lethe finished").isTrue();
        List<String> sources = Files.readAllLines(classes).stream().filter(line -> line.contains(" picocli."))
                .map(line -> line.replaceFirst(".* source: ", "")).distinct().toList();
        return new Run(process.exitValue(), Files.readString(scratch.resolve("out")), Files.readString(scratch.resolve("err")), sources);
    }

    private static String runTool(Path jar) throws Exception {
        assertThat(TOOL).exists();
        Process process = new ProcessBuilder(java(), TOOL.toString(), jar.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<Object> code(MethodModel method) {
        return method.findAttribute(Attributes.code()).<List<Object>>map(code -> {
            List<Object> handlers = new ArrayList<>();
            code.exceptionHandlers().forEach(h -> handlers.add(List.of(code.labelToBci(h.tryStart()), code.labelToBci(h.tryEnd()),
                    code.labelToBci(h.handler()), h.catchType().map(c -> c.asInternalName()).orElse("any"))));
            return List.of(Arrays.toString(code.codeArray()), handlers);
        }).orElse(List.of());
    }

    private static Map<String, byte[]> entries(Path jar) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (var entry : Collections.list(zip.entries())) {
                try (var in = zip.getInputStream(entry)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    private static Map<String, Integer> classVersions(Path jar) throws Exception {
        Map<String, Integer> versions = new LinkedHashMap<>();
        for (var entry : entries(jar).entrySet()) {
            if (entry.getKey().endsWith(".class")) {
                versions.put(entry.getKey(), ClassFile.of().parse(entry.getValue()).majorVersion());
            }
        }
        return versions;
    }
}
