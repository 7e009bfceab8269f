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
import java.util.HashMap;
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
    private final Scope scope;
    private final List<Action> actions = new ArrayList<>();
    /** Directories an earlier entry's actions will create, so later entries neither repeat nor miss them. */
    private final Set<AbsolutePath> plannedDirectories = new HashSet<>();
    /** Entries whose repair (an unmount or a resumed migration) comes first; they are planned after it. */
    private final Set<AbsolutePath> repairing = new HashSet<>();

    /**
     * What the planner must know beyond the entries it plans.
     *
     * @param configuredTargets every target in the config, also those of another stage: a mount of a
     *                          configured target is never unmounted as "removed"
     * @param storesOnRoot      stores the config allows to be plain directories on the root filesystem
     */
    public record Scope(Set<AbsolutePath> configuredTargets, Set<AbsolutePath> storesOnRoot) {
        public Scope {
            configuredTargets = Set.copyOf(configuredTargets);
            storesOnRoot = Set.copyOf(storesOnRoot);
        }

        /** All of {@code entries} configured, every store required to be a mount point. */
        public static Scope of(List<Entry> entries) {
            Set<AbsolutePath> targets = new HashSet<>();
            entries.forEach(e -> targets.add(e.target()));
            return new Scope(targets, Set.of());
        }
    }

    private Planner(Observation observed, Scope scope) {
        this.observed = observed;
        this.scope = scope;
    }

    public static Plan plan(List<Entry> entries, Observation observed) {
        return plan(entries, Scope.of(entries), observed);
    }

    /**
     * The plan for {@code entries}. Repairs come first: unmounting lethe's mounts of removed (or
     * moved) entries and finishing interrupted migrations. An entry being repaired is planned
     * after its repair, by a new plan made on a fresh observation ({@link #repairs}).
     */
    public static Plan plan(List<Entry> entries, Scope scope, Observation observed) {
        Planner planner = new Planner(observed, scope);
        planner.planRepairs(entries);
        for (Entry entry : entries.stream().sorted((a, b) -> a.target().compareTo(b.target())).toList()) {
            if (!planner.repairing.contains(entry.target())) {
                planner.planEntry(entry);
            }
        }
        return new Plan(planner.actions);
    }

    /** True for the actions that change what later observations see: run them first, then plan again. */
    public static boolean isRepair(Action action) {
        return action instanceof Action.Unmount || action instanceof ResumeMigration;
    }

    private String show(AbsolutePath path) {
        return observed.show(path);
    }

    private void planRepairs(List<Entry> entries) {
        Map<AbsolutePath, Entry> byTarget = new HashMap<>();
        entries.forEach(e -> byTarget.put(e.target(), e));
        for (Observation.LetheMount mount : observed.letheMounts()) {
            Entry entry = byTarget.get(mount.target());
            boolean removed = !scope.configuredTargets().contains(mount.target());
            boolean moved = entry != null && !entry.source().equals(mount.source());
            if (!removed && !moved) {
                continue;
            }
            if (!mount.topmost()) {
                actions.add(new Refuse(mount.target(), Action.Problem.SHADOWED, "lethe's mount of " + show(mount.source())
                        + " on " + show(mount.target()) + " is covered by another mount; lethe will not unmount it from "
                        + "under that one. Unmount the other mount first."));
                repairing.add(mount.target());
                continue;
            }
            actions.add(new Action.Unmount(mount.target(), mount.source(), mount.target()));
            repairing.add(mount.target());
        }
        for (Map.Entry<AbsolutePath, AbsolutePath> interrupted : observed.interruptedMigrations().entrySet()) {
            AbsolutePath target = interrupted.getKey();
            AbsolutePath store = interrupted.getValue();
            Entry entry = byTarget.get(target);
            if (entry == null) {
                if (!scope.configuredTargets().contains(target)) {
                    actions.add(new Refuse(target, Action.Problem.CONFLICT, "a migration of " + show(target) + " into "
                            + show(store) + " was interrupted, and the entry is no longer in the config; lethe leaves both "
                            + "as they are. Put the entry back and apply to finish it."));
                }
                continue;
            }
            repairing.add(target);
            if (!entry.store().equals(store)) {
                actions.add(new Refuse(target, Action.Problem.CONFLICT, "a migration of " + show(target) + " into "
                        + show(store) + " was interrupted, but the config now keeps it in " + show(entry.store())
                        + "; lethe will not finish it elsewhere. Put the entry back in " + show(store) + " and apply."));
                continue;
            }
            Facts onTarget = Observation.facts(observed.state(target));
            if (onTarget != null && onTarget.mountRoot()) {
                actions.add(new Refuse(target, Action.Problem.SHADOWED, "a migration of " + show(target)
                        + " was interrupted, and something is mounted there now; lethe will not empty it. Unmount it, then apply."));
                continue;
            }
            actions.add(new ResumeMigration(target, target, entry.source(), entry.kind()));
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
        if (!(store instanceof Directory storeDirectory)) {
            return refuse(entry, Action.Problem.STORE_MISSING, "the store " + show(entry.store()) + " is " + store.describe()
                    + "; lethe does not create a store itself (is its filesystem mounted?)");
        }
        if (!storeDirectory.facts().mountRoot() && !scope.storesOnRoot().contains(entry.store())) {
            return refuse(entry, Action.Problem.STORE_MISSING, "the store " + show(entry.store()) + " is not a mount point: "
                    + "its filesystem seems not to be mounted, and lethe will not put data in its place on the root. "
                    + "Mount it, or write on-root = true in that [[store]] if it really is a directory on the root.");
        }
        PathState atTarget = observed.state(target);
        PathState atSource = observed.state(source);
        for (PathState state : List.of(atTarget, atSource)) {
            if (state instanceof Unreachable unreachable) {
                return refuse(entry, Action.Problem.UNSAFE, unreachable.reason());
            }
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
            return refuse(entry, Action.Problem.SHADOWED, show(target) + " is already a mount point of something other than " + show(source)
                    + " (shadowed); lethe will not mount over it. Unmount it, or remove the entry.");
        }
        if (atTarget instanceof Symlink link) {
            return refuse(entry, Action.Problem.UNSAFE, show(target) + " is a symbolic link to " + link.linkTarget()
                    + (entry.method() == Method.SYMLINK ? ", not to " + source : "")
                    + "; lethe does not follow or replace symbolic links. Remove it, then apply again.");
        }

        boolean sourceHasData = atSource.holdsData();  // an absent path holds none
        boolean targetHasData = atTarget.holdsData();
        boolean sourceExists = atSource.exists();

        if (sourceHasData && targetHasData) {
            boolean identicalFile = entry.kind() == Kind.FILE && entry.method() == Method.BIND
                    && observed.sameContent(target, source);
            if (!identicalFile) {
                return refuse(entry, Action.Problem.CONFLICT, "both " + show(target) + " (" + atTarget.describe() + ") and "
                        + show(source) + " (" + atSource.describe() + ") hold data; lethe will neither hide nor overwrite "
                        + "either. Merge them into " + show(source) + " and empty " + show(target) + ", then apply again.");
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

    private Optional<Refuse> checkTypes(Entry entry, PathState atTarget, PathState atSource) {
        Map<AbsolutePath, PathState> sides = new LinkedHashMap<>();
        sides.put(entry.source(), atSource);
        sides.put(entry.target(), atTarget);
        for (Map.Entry<AbsolutePath, PathState> side : sides.entrySet()) {
            AbsolutePath path = side.getKey();
            PathState state = side.getValue();
            if (!state.suits(entry.kind(), path.equals(entry.source()))) {
                return refuse(entry, Action.Problem.WRONG_TYPE, show(path) + " is " + article(state) + ", but the entry at " + entry.origin()
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
            if (plannedDirectories.contains(ancestor) || makesDirectory(steps, ancestor)) {
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

    private static boolean makesDirectory(List<Action> steps, AbsolutePath path) {
        for (Action step : steps) {
            if (step instanceof MakeDirectory make && make.path().equals(path)) {
                return true;
            }
        }
        return false;
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
