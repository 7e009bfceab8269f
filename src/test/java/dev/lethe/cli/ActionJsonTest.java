package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Kind;
import dev.lethe.plan.Action;
import dev.lethe.plan.Action.Ownership;
import dev.lethe.plan.Action.Problem;
import dev.lethe.plan.Action.Side;
import dev.lethe.plan.Plan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A plan holding one action of every type, written as JSON by the code {@code plan --json} uses
 * ({@link Json#on} and {@link ActionText#writeJson}) and read back with jackson's parser: every
 * field of every action, exactly. A new {@link Action} type fails this test until it has a
 * sample and its expected JSON here.
 */
class ActionJsonTest {

    private static AbsolutePath p(String path) {
        return AbsolutePath.of(path);
    }

    /** One of each action type, paired with the JSON object it must become. */
    private static final Map<Action, Map<String, Object>> SAMPLES = new LinkedHashMap<>();

    static {
        sample(new Action.MakeDirectory(p("/var/lib/app"), p("/var/lib"), Side.TARGET, new Ownership(0, 4, 0750)),
                Map.of("entry", "/var/lib/app", "action", "mkdir", "path", "/var/lib", "side", "target",
                        "ownership", owner(0, 4, "0750")));
        sample(new Action.MakeFile(p("/etc/machine-id"), p("/persist/etc/machine-id"), Side.STORE, new Ownership(0, 0, 0644)),
                Map.of("entry", "/etc/machine-id", "action", "touch", "path", "/persist/etc/machine-id",
                        "side", "store", "ownership", owner(0, 0, "0644")));
        sample(new Action.SetOwnership(p("/home/alice/.ssh"), p("/persist/home/alice/.ssh"),
                        new Ownership(0, 0, 0755), new Ownership(1000, 1001, 02700)),
                Map.of("entry", "/home/alice/.ssh", "action", "chown", "path", "/persist/home/alice/.ssh",
                        "from", owner(0, 0, "0755"), "to", owner(1000, 1001, "2700")));
        sample(new Action.Migrate(p("/var/log"), p("/var/log"), p("/persist/var/log"), Kind.DIRECTORY),
                Map.of("entry", "/var/log", "action", "migrate", "from", "/var/log", "to", "/persist/var/log",
                        "kind", "directory"));
        sample(new Action.ResumeMigration(p("/etc/ssh/key"), p("/etc/ssh/key"), p("/persist/etc/ssh/key"), Kind.FILE),
                Map.of("entry", "/etc/ssh/key", "action", "resume", "from", "/etc/ssh/key", "to", "/persist/etc/ssh/key",
                        "kind", "file"));
        sample(new Action.BindMount(p("/srv/data"), p("/persist/srv/data"), p("/srv/data"), Kind.DIRECTORY),
                Map.of("entry", "/srv/data", "action", "bind", "source", "/persist/srv/data", "target", "/srv/data"));
        sample(new Action.RemoveEmpty(p("/home/bob/.cache"), p("/home/bob/.cache"), Kind.DIRECTORY),
                Map.of("entry", "/home/bob/.cache", "action", "remove", "path", "/home/bob/.cache"));
        sample(new Action.MakeSymlink(p("/home/bob/.mozilla"), p("/home/bob/.mozilla"), p("/scratch/home/bob/.mozilla")),
                Map.of("entry", "/home/bob/.mozilla", "action", "symlink", "link", "/home/bob/.mozilla",
                        "to", "/scratch/home/bob/.mozilla"));
        sample(new Action.Unmount(p("/var/lib/old"), p("/persist/var/lib/old"), p("/var/lib/old")),
                Map.of("entry", "/var/lib/old", "action", "unmount", "source", "/persist/var/lib/old",
                        "target", "/var/lib/old"));
        sample(new Action.AwaitCreation(p("/etc/ssh/ssh_host_ed25519_key"), p("/etc/ssh/ssh_host_ed25519_key"),
                        p("/persist/etc/ssh/ssh_host_ed25519_key")),
                Map.of("entry", "/etc/ssh/ssh_host_ed25519_key", "action", "wait",
                        "target", "/etc/ssh/ssh_host_ed25519_key", "source", "/persist/etc/ssh/ssh_host_ed25519_key"));
        sample(new Action.Refuse(p("/srv/www"), Problem.WRONG_TYPE, "/persist/srv/www is a file, \"quoted\"\nand on two lines"),
                Map.of("entry", "/srv/www", "action", "refuse", "problem", "wrong-type",
                        "reason", "/persist/srv/www is a file, \"quoted\"\nand on two lines"));
    }

    /**
     * Record components the plan's JSON leaves out on purpose: a bind mount's and a removal's kind
     * is the entry's, which {@code check --json} gives.
     */
    private static final Set<String> NOT_IN_JSON = Set.of("BindMount.kind", "RemoveEmpty.kind");

    private static void sample(Action action, Map<String, Object> json) {
        SAMPLES.put(action, json);
    }

    private static Map<String, Object> owner(long uid, long gid, String mode) {
        return Map.of("uid", uid, "gid", gid, "mode", mode);
    }

    @Test
    void everyActionTypeHasASample() {
        Set<Class<?>> sampled = SAMPLES.keySet().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).as("a sample of every permitted Action type")
                .containsExactlyInAnyOrder(Action.class.getPermittedSubclasses());
    }

    @Test
    void aPlanWithEveryActionReadsBackFieldForField() throws Exception {
        Plan plan = new Plan(List.copyOf(SAMPLES.keySet()));
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        PlanCommand.printJson(out, plan, "lethe.toml", "/");
        out.flush();

        Map<String, Object> document = JsonTree.object(text.toString());
        assertThat(document).containsOnlyKeys("config", "root", "changes", "actions").containsEntry("changes", true);
        assertThat(document.get("actions")).isEqualTo(List.copyOf(SAMPLES.values()));
    }

    @Test
    void eachActionIsOneJsonObjectWithEveryComponent() throws Exception {
        for (var sample : SAMPLES.entrySet()) {
            Action action = sample.getKey();
            Map<String, Object> json = JsonTree.object(render(action));
            assertThat(json).as("%s", action).isEqualTo(sample.getValue());
            assertThat(json.keySet()).as("entry and verb lead").startsWith("entry", "action");

            // Every component of the record shows in the object, so a new component cannot be forgotten.
            for (RecordComponent component : action.getClass().getRecordComponents()) {
                String name = action.getClass().getSimpleName() + "." + component.getName();
                if (NOT_IN_JSON.contains(name)) {
                    continue;
                }
                Object value = component.getAccessor().invoke(action);
                assertThat(json.values()).as("%s = %s in %s", name, value, json).contains(asJson(value));
            }
        }
    }

    @Test
    void modesAreFourOctalDigitsAsStrings() throws Exception {
        Map<String, Object> json = JsonTree.object(render(new Action.SetOwnership(p("/a"), p("/persist/a"),
                new Ownership(0, 0, 01777), new Ownership(0, 0, 0))));
        assertThat(json.get("from")).isEqualTo(owner(0, 0, "1777"));
        assertThat(json.get("to")).isEqualTo(owner(0, 0, "0000"));
    }

    @Test
    void everyProblemHasItsWordInJson() throws Exception {
        Map<Problem, String> words = Map.of(Problem.CONFLICT, "conflict", Problem.SHADOWED, "shadowed",
                Problem.UNSAFE, "unsafe", Problem.WRONG_TYPE, "wrong-type", Problem.STORE_MISSING, "store-missing");
        assertThat(words).containsOnlyKeys(Problem.values());
        for (Problem problem : Problem.values()) {
            Map<String, Object> json = JsonTree.object(render(new Action.Refuse(p("/x"), problem, "why")));
            assertThat(json).containsEntry("problem", words.get(problem)).containsEntry("action", "refuse");
        }
    }

    @Test
    void everyActionTypeHasItsOwnVerb() {
        List<String> verbs = SAMPLES.keySet().stream().map(ActionText::verb).toList();
        assertThat(new HashSet<>(verbs)).as("verbs %s", verbs).hasSize(Action.class.getPermittedSubclasses().length);
        assertThat(verbs).allMatch(v -> v.matches("[a-z]+"));
    }

    @Test
    void everyActionDescribesItselfInASentenceNamingItsPaths() throws Exception {
        for (Action action : SAMPLES.keySet()) {
            String sentence = ActionText.describe(action);
            assertThat(sentence).as("%s", action).isNotBlank().doesNotContain("null").doesNotContain("Optional")
                    .doesNotContain("AbsolutePath[");
            for (RecordComponent component : action.getClass().getRecordComponents()) {
                Object value = component.getAccessor().invoke(action);
                if (value instanceof AbsolutePath path && !component.getName().equals("entry")) {
                    assertThat(sentence).as("%s names %s", action, component.getName()).contains(path.value());
                }
            }
        }
        Action.Refuse refuse = new Action.Refuse(p("/x"), Problem.CONFLICT, "both hold data; merge them");
        assertThat(ActionText.describe(refuse)).isEqualTo("both hold data; merge them");
        assertThat(ActionText.describe(new Action.SetOwnership(p("/a"), p("/persist/a"), new Ownership(0, 0, 0755),
                new Ownership(1000, 1000, 0700)))).contains("0:0 0755").contains("1000:1000 0700");
    }

    private static String render(Action action) throws Exception {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        try (JsonGenerator json = Json.on(out)) {
            ActionText.writeJson(action, json);
        }
        out.flush();
        return text.toString();
    }

    /** How a record component's value is written in JSON. */
    private static Object asJson(Object value) {
        return switch (value) {
            case AbsolutePath path -> path.value();
            case Kind kind -> kind.word();
            case Problem problem -> problem.word();
            case Side side -> side.name().toLowerCase(java.util.Locale.ROOT);
            case Ownership o -> owner(o.uid(), o.gid(), String.format("%04o", o.mode()));
            case String s -> s;
            default -> throw new AssertionError("no JSON form known for " + value.getClass() + "; extend this test");
        };
    }
}
