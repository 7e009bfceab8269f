package dev.lethe.plan;

import dev.lethe.model.AbsolutePath;
import dev.lethe.model.Attributes;
import dev.lethe.model.Entry;
import dev.lethe.model.Kind;
import dev.lethe.model.Method;
import dev.lethe.model.Mode;
import dev.lethe.model.Principal;
import dev.lethe.plan.Action.BindMount;
import dev.lethe.plan.Action.MakeDirectory;
import dev.lethe.plan.Action.MakeFile;
import dev.lethe.plan.Action.MakeSymlink;
import dev.lethe.plan.Action.Migrate;
import dev.lethe.plan.Action.Ownership;
import dev.lethe.plan.Action.Refuse;
import dev.lethe.plan.Action.RemoveEmpty;
import dev.lethe.plan.Action.ResumeMigration;
import dev.lethe.plan.Action.SetOwnership;
import dev.lethe.plan.Action.Side;
import dev.lethe.plan.PathState.Absent;
import dev.lethe.plan.PathState.Directory;
import dev.lethe.plan.PathState.Facts;
import dev.lethe.plan.PathState.Other;
import dev.lethe.plan.PathState.RegularFile;
import dev.lethe.plan.PathState.Symlink;
import dev.lethe.plan.PathState.Unreachable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Config + observed state → the ordered actions that converge the machine. Pure: it reads the
 * {@link Observation} and nothing else, so every rule here is tested with a table of states.
 *
 * <p>The rules that keep data safe: a target holding data is never mounted over (it is migrated
 * into an empty store side first, or the entry is refused when both sides hold data); store data
 * is never removed or replaced; owner and mode are set on the store side before the mount.
 */
public final class Planner {

    private final Observation observed;
    private final List<Action> actions = new ArrayList<>();
    /** Directories an earlier entry's actions will create, so later entries neither repeat nor miss them. */
    private final Set<AbsolutePath> plannedDirectories = new HashSet<>();

    private Planner(Observation observed) {
        this.observed = observed;
    }

    public static Plan plan(List<Entry> entries, Observation observed) {
        Planner planner = new Planner(observed);
        planner.unmountRemoved(entries);
        for (Entry entry : entries.stream().sorted((a, b) -> a.target().compareTo(b.target())).toList()) {
            planner.planEntry(entry);
        }
        return new Plan(planner.actions);
    }

    private void unmountRemoved(List<Entry> entries) {
        Set<AbsolutePath> targets = new HashSet<>();
        entries.forEach(e -> targets.add(e.target()));
        for (Observation.StoreMount mount : observed.storeMounts()) {
            if (!targets.contains(mount.target())) {
                actions.add(new Action.Unmount(mount.target(), mount.source(), mount.target()));
            }
        }
    }

    private void planEntry(Entry entry) {
        List<Action> steps = new ArrayList<>();
        Optional<Refuse> refusal = planSteps(entry, steps);
        if (refusal.isPresent()) {
            // Nothing of a refused entry is done, not even its harmless parents: the user fixes it first.
            actions.add(refusal.get());
            return;
        }
        for (Action step : steps) {
            if (step instanceof MakeDirectory make) {
                plannedDirectories.add(make.path());
            }
        }
        actions.addAll(steps);
    }

    /** Adds the steps for one entry, or returns why it must be refused. */
    private Optional<Refuse> planSteps(Entry entry, List<Action> steps) {
        AbsolutePath target = entry.target();
        AbsolutePath source = entry.source();
        PathState store = observed.state(entry.store());
        if (!(store instanceof Directory)) {
            return refuse(entry, Action.Problem.STORE_MISSING, "the store " + entry.store() + " is " + store.describe()
                    + "; lethe does not create a store itself (is its filesystem mounted?)");
        }
        PathState atTarget = observed.state(target);
        PathState atSource = observed.state(source);
        for (PathState state : List.of(atTarget, atSource)) {
            if (state instanceof Unreachable unreachable) {
                return refuse(entry, Action.Problem.UNSAFE, unreachable.reason());
            }
        }

        if (observed.interruptedMigrations().contains(target)) {
            steps.add(new ResumeMigration(target, target, source, entry.kind()));
            // After it, the store side holds the data and the target is empty: plan from there.
            atSource = entry.kind() == Kind.DIRECTORY ? new Directory(null, false) : new RegularFile(null, 1);
            atTarget = atTarget instanceof Absent ? atTarget : emptied(atTarget, entry.kind());
        }

        Optional<Refuse> wrongType = checkTypes(entry, atTarget, atSource);
        if (wrongType.isPresent()) {
            return wrongType;
        }

        if (isActive(entry, atTarget)) {
            setDeclaredOwnership(entry, source, atSource, steps);
            return Optional.empty();
        }
        Facts targetFacts = Observation.facts(atTarget);
        if (targetFacts != null && targetFacts.mountRoot()) {
            return refuse(entry, Action.Problem.SHADOWED, target + " is already a mount point of something other than " + source
                    + " (shadowed); lethe will not mount over it. Unmount it, or remove the entry.");
        }
        if (atTarget instanceof Symlink link) {
            return refuse(entry, Action.Problem.UNSAFE, target + " is a symbolic link to " + link.linkTarget()
                    + (entry.method() == Method.SYMLINK ? ", not to " + source : "")
                    + "; lethe does not follow or replace symbolic links. Remove it, then apply again.");
        }

        boolean sourceHasData = entry.kind() == Kind.DIRECTORY ? atSource.holdsData() : atSource.exists() && atSource.holdsData();
        boolean targetHasData = entry.kind() == Kind.DIRECTORY ? atTarget.holdsData() : atTarget.holdsData();
        boolean sourceExists = atSource.exists();

        if (sourceHasData && targetHasData) {
            boolean identicalFile = entry.kind() == Kind.FILE && entry.method() == Method.BIND
                    && observed.sameContent(target, source);
            if (!identicalFile) {
                return refuse(entry, Action.Problem.CONFLICT, "both " + target + " (" + atTarget.describe() + ") and " + source + " ("
                        + atSource.describe() + ") hold data; lethe will neither hide nor overwrite either. "
                        + "Merge them into " + source + " and empty " + target + ", then apply again.");
            }
            targetHasData = false;
        }

        boolean migrate = targetHasData || (entry.kind() == Kind.FILE && !sourceExists && atTarget.exists());
        if (migrate) {
            addParents(entry, source, steps);
            steps.add(new Migrate(target, target, source, entry.kind()));
            Facts migrated = Observation.facts(atTarget);
            Ownership before = new Ownership(migrated.uid(), migrated.gid(), migrated.mode());
            Ownership declared = declaredOver(entry, before);
            if (!declared.equals(before)) {
                steps.add(new SetOwnership(target, source, before, declared));
            }
            placeAfterMigration(entry, steps);
            return Optional.empty();
        }

        if (!sourceExists) {
            if (entry.kind() == Kind.FILE) {
                if (atTarget instanceof Absent) {
                    steps.add(new Action.AwaitCreation(target, target, source));
                    return Optional.empty();
                }
            }
            addParents(entry, source, steps);
            Ownership ownership = creationOwnership(entry);
            steps.add(entry.kind() == Kind.DIRECTORY
                    ? new MakeDirectory(target, source, Side.STORE, ownership)
                    : new MakeFile(target, source, Side.STORE, ownership));
        } else {
            setDeclaredOwnership(entry, source, atSource, steps);
        }
        Ownership sourceOwnership = sourceOwnershipAfter(entry, atSource);
        if (entry.method() == Method.SYMLINK) {
            if (atTarget.exists()) {
                steps.add(new RemoveEmpty(target, target, entry.kind()));
            } else {
                addParents(entry, target, steps);
            }
            steps.add(new MakeSymlink(target, target, source));
            return Optional.empty();
        }
        if (!atTarget.exists()) {
            addParents(entry, target, steps);
            steps.add(entry.kind() == Kind.DIRECTORY
                    ? new MakeDirectory(target, target, Side.TARGET, sourceOwnership)
                    : new MakeFile(target, target, Side.TARGET, sourceOwnership));
        }
        steps.add(new BindMount(target, source, target, entry.kind()));
        return Optional.empty();
    }

    /** After a migration the target is empty (a migration leaves it so); mount or link it. */
    private void placeAfterMigration(Entry entry, List<Action> steps) {
        if (entry.method() == Method.SYMLINK) {
            steps.add(new RemoveEmpty(entry.target(), entry.target(), entry.kind()));
            steps.add(new MakeSymlink(entry.target(), entry.target(), entry.source()));
        } else {
            steps.add(new BindMount(entry.target(), entry.source(), entry.target(), entry.kind()));
        }
    }

    private static PathState emptied(PathState state, Kind kind) {
        return kind == Kind.DIRECTORY ? new Directory(Observation.facts(state), true) : new RegularFile(Observation.facts(state), 0);
    }

    private boolean isActive(Entry entry, PathState atTarget) {
        if (entry.method() == Method.SYMLINK) {
            return atTarget instanceof Symlink link && link.linkTarget().equals(entry.source().value());
        }
        Facts facts = Observation.facts(atTarget);
        return facts != null && facts.mountRoot() && observed.sameFile(entry.target(), entry.source());
    }

    private static Optional<Refuse> refuse(Entry entry, Action.Problem problem, String reason) {
        return Optional.of(new Refuse(entry.target(), problem, reason));
    }

    private static Optional<Refuse> checkTypes(Entry entry, PathState atTarget, PathState atSource) {
        Map<AbsolutePath, PathState> sides = new LinkedHashMap<>();
        sides.put(entry.source(), atSource);
        sides.put(entry.target(), atTarget);
        for (Map.Entry<AbsolutePath, PathState> side : sides.entrySet()) {
            AbsolutePath path = side.getKey();
            PathState state = side.getValue();
            boolean wrong = switch (state) {
                case Directory d -> entry.kind() != Kind.DIRECTORY;
                case RegularFile f -> entry.kind() != Kind.FILE;
                case Other o -> true;
                case Symlink s -> path.equals(entry.source());
                case Absent a -> false;
                case Unreachable u -> true;
            };
            if (wrong) {
                return refuse(entry, Action.Problem.WRONG_TYPE, path + " is " + article(state) + ", but the entry at " + entry.origin()
                        + " declares a " + entry.kind().word() + "; lethe will not replace it. Fix the config or move it aside.");
            }
        }
        return Optional.empty();
    }

    private static String article(PathState state) {
        String d = state.describe();
        return d.startsWith("a") || d.startsWith("e") ? "an " + d : "a " + d;
    }

    /** Creates each missing parent of {@code path}, outermost first, owned as the other side's twin or by rule. */
    private void addParents(Entry entry, AbsolutePath path, List<Action> steps) {
        boolean storeSide = path.startsWith(entry.store()) && !entry.target().startsWith(entry.store());
        AbsolutePath top = storeSide ? entry.store() : AbsolutePath.ROOT;
        for (AbsolutePath ancestor : path.ancestors()) {
            if (!ancestor.startsWith(top) || ancestor.equals(top)) {
                continue;
            }
            if (plannedDirectories.contains(ancestor) || steps.stream().anyMatch(
                    s -> s instanceof MakeDirectory m && m.path().equals(ancestor))) {
                continue;
            }
            if (observed.state(ancestor).exists()) {
                continue;
            }
            AbsolutePath onTargetSide = storeSide ? AbsolutePath.of("/" + ancestor.relativeTo(entry.store())) : ancestor;
            AbsolutePath twin = storeSide ? onTargetSide : ancestor.under(entry.store());
            Facts twinFacts = Observation.facts(observed.state(twin));
            Ownership ownership = twinFacts != null && observed.state(twin) instanceof Directory
                    ? new Ownership(twinFacts.uid(), twinFacts.gid(), twinFacts.mode())
                    : parentOwnership(entry, onTargetSide);
            steps.add(new MakeDirectory(entry.target(), ancestor, storeSide ? Side.STORE : Side.TARGET, ownership));
        }
    }

    /** Owner and mode for a parent lethe creates, by rule: the user's home and below it belong to the user. */
    static Ownership parentOwnership(Entry entry, AbsolutePath parentOnTargetSide) {
        if (entry.home().isPresent()) {
            Entry.UserHome home = entry.home().get();
            if (parentOnTargetSide.equals(home.path())) {
                return new Ownership(home.user().id(), home.group().id(), Mode.HOME_DEFAULT.bits());
            }
            if (!parentOnTargetSide.startsWith(home.path())) {
                return new Ownership(0, 0, Mode.DIRECTORY_DEFAULT.bits());
            }
        }
        Attributes parents = entry.parents();
        return new Ownership(parents.owner().orElseThrow().id(), parents.group().orElseThrow().id(),
                parents.mode().orElseThrow().bits());
    }

    /** Owner and mode for the entry itself when lethe creates it: declared, else the default. */
    static Ownership creationOwnership(Entry entry) {
        Principal user = entry.home().map(Entry.UserHome::user).orElse(Principal.ROOT_USER);
        Principal group = entry.home().map(Entry.UserHome::group).orElse(Principal.ROOT_GROUP);
        Mode mode = entry.kind() == Kind.DIRECTORY ? Mode.DIRECTORY_DEFAULT : Mode.FILE_DEFAULT;
        Attributes effective = entry.attributes().orElse(Attributes.of(user, group, mode));
        return new Ownership(effective.owner().orElseThrow().id(), effective.group().orElseThrow().id(),
                effective.mode().orElseThrow().bits());
    }

    /** {@code current} with the entry's declared owner, group and mode put over it. */
    private static Ownership declaredOver(Entry entry, Ownership current) {
        Attributes declared = entry.attributes();
        return new Ownership(
                declared.owner().map(Principal::id).orElse(current.uid()),
                declared.group().map(Principal::id).orElse(current.gid()),
                declared.mode().map(Mode::bits).orElse(current.mode()));
    }

    private void setDeclaredOwnership(Entry entry, AbsolutePath source, PathState atSource, List<Action> steps) {
        Facts facts = Observation.facts(atSource);
        if (facts == null) {
            return;
        }
        Ownership current = new Ownership(facts.uid(), facts.gid(), facts.mode());
        Ownership wanted = declaredOver(entry, current);
        if (!wanted.equals(current)) {
            steps.add(new SetOwnership(entry.target(), source, current, wanted));
        }
    }

    /** The store side's owner and mode once the plan's earlier steps have run, for the mount point. */
    private static Ownership sourceOwnershipAfter(Entry entry, PathState atSource) {
        Facts facts = Observation.facts(atSource);
        if (facts == null) {
            return creationOwnership(entry);
        }
        return declaredOver(entry, new Ownership(facts.uid(), facts.gid(), facts.mode()));
    }
}
