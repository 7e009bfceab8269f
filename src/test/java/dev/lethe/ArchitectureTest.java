package dev.lethe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of docs/architecture as rules on the compiled classes. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lethe");
    }

    @Test
    void onlyTheFfmPackageTouchesNativeCode() {
        noClasses().that().resideOutsideOfPackage("dev.lethe.linux.ffm..")
                .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
                .check(classes);
    }

    @Test
    void onlyTheCompositionRootMakesTheNativePort() {
        noClasses().that().resideOutsideOfPackages("dev.lethe.cli..", "dev.lethe.linux.ffm..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.lethe.linux.ffm.FfmSyscalls")
                .because("the layers below receive their Syscalls; none builds its own")
                .check(classes);
    }

    @Test
    void picocliAndJacksonStayInTheCommandLayer() {
        noClasses().that().resideOutsideOfPackage("dev.lethe.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "com.fasterxml.jackson..")
                .check(classes);
    }

    @Test
    void tomlStaysInTheConfigPackage() {
        noClasses().that().resideOutsideOfPackage("dev.lethe.config..")
                .should().dependOnClassesThat().resideInAPackage("org.tomlj..")
                .check(classes);
    }

    /** The Prometheus client is loaded by the metrics command alone: the boot path never reaches it. */
    @Test
    void prometheusStaysInTheMetricsPackage() {
        noClasses().that().resideOutsideOfPackage("dev.lethe.metrics..")
                .should().dependOnClassesThat().resideInAPackage("io.prometheus..")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.lethe.metrics..")
                .and().doNotHaveFullyQualifiedName("dev.lethe.cli.MetricsCommand")
                .should().dependOnClassesThat().resideInAPackage("dev.lethe.metrics..")
                .check(classes);
    }

    @Test
    void thePlannerIsPureAndSeesOnlyTheModel() {
        noClasses().that().resideInAPackage("dev.lethe.plan..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lethe.config..", "dev.lethe.exec..",
                        "dev.lethe.linux..", "dev.lethe.root..", "dev.lethe.cli..", "dev.lethe.diff..", "dev.lethe.boot..")
                .check(classes);
    }

    /**
     * What boot may use of root: the wipe's steps and the btrfs planner's pure surface, so that the
     * initrd script is rendered from the very steps the Java wipe performs. Nothing that acts.
     */
    private static final DescribedPredicate<JavaClass> WIPE_PLANNING = DescribedPredicate.describe(
            "the wipe's steps and the btrfs and zfs wipe planners", c -> inOrNestedIn(c, "dev.lethe.root.WipeStep")
                    || inOrNestedIn(c, "dev.lethe.root.BtrfsStep")
                    || inOrNestedIn(c, "dev.lethe.root.ZfsStep")
                    || inOrNestedIn(c, "dev.lethe.root.OverlayStep")
                    || inOrNestedIn(c, "dev.lethe.root.zfs.ZfsWipePlanner")
                    || inOrNestedIn(c, "dev.lethe.root.zfs.ZfsNames")
                    || inOrNestedIn(c, "dev.lethe.root.zfs.ZfsCommands")
                    || inOrNestedIn(c, "dev.lethe.root.btrfs.BtrfsWipePlanner")
                    || inOrNestedIn(c, "dev.lethe.root.btrfs.Names")
                    || inOrNestedIn(c, "dev.lethe.root.btrfs.Situation"));

    private static boolean inOrNestedIn(JavaClass c, String name) {
        return c.getName().equals(name) || c.getName().startsWith(name + "$");
    }

    @Test
    void bootRendersAndNeverActs() {
        noClasses().that().resideInAPackage("dev.lethe.boot..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("dev.lethe.exec..",
                        "dev.lethe.linux..", "dev.lethe.cli..")
                        .or(JavaClass.Predicates.resideInAPackage("dev.lethe.root..").and(DescribedPredicate.not(WIPE_PLANNING))))
                .check(classes);
    }

    @Test
    void theWipePlanningBootRendersIsPure() {
        noClasses().that(WIPE_PLANNING).or().haveFullyQualifiedName("dev.lethe.root.btrfs.Layout")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("dev.lethe.exec..",
                        "dev.lethe.linux..", "dev.lethe.cli..", "dev.lethe.boot..")
                        .or(JavaClass.Predicates.belongToAnyOf(dev.lethe.root.Tools.class, dev.lethe.root.RootContext.class))
                        .or(DescribedPredicate.describe("the btrfs classes that run tools or change the disk",
                                c -> List.of("Btrfs", "Mounted", "Inspection", "StepExecutor", "Archives", "BtrfsStrategy")
                                        .stream().anyMatch(n -> c.getName().equals("dev.lethe.root.btrfs." + n)))))
                .because("the planner plans from an observation; reading the disk and acting are elsewhere")
                .check(classes);
    }

    /** What doctor may not do: run what converges, migrates, installs, restores, wipes or destroys, or change a path. */
    private static final java.util.Set<String> ACTING_CLASSES = java.util.Set.of("dev.lethe.exec.Executor",
            "dev.lethe.exec.Converge", "dev.lethe.exec.Migration", "dev.lethe.exec.Installer", "dev.lethe.exec.Restore",
            "dev.lethe.exec.Activation", "dev.lethe.exec.ApplyRecords", "dev.lethe.exec.LetheMounts");
    private static final java.util.Set<String> ACTING_METHODS = java.util.Set.of("wipe", "destroy", "makeDirectory",
            "makeEmptyFile", "setOwnerAndMode", "rename", "removeEmpty", "symlink", "bindMount", "unmount",
            "writeFileAtomically", "removeFileIfPresent", "tryLock", "waitForLock");

    @Test
    void theDoctorReadsAndNeverActs() {
        noClasses().that().resideInAPackage("dev.lethe.doctor..")
                .should().dependOnClassesThat(DescribedPredicate.describe("the classes that act",
                        c -> ACTING_CLASSES.contains(c.getName())))
                .orShould().callMethodWhere(DescribedPredicate.describe("a method of Fs or RootStrategy that changes the disk",
                        call -> List.of("dev.lethe.linux.Fs", "dev.lethe.root.RootStrategy")
                                .contains(call.getTargetOwner().getName()) && ACTING_METHODS.contains(call.getName())))
                .check(classes);
    }

    @Test
    void noPackageCyclesAtAnyDepth() {
        // The strategy factory lives in cli, so root never depends on its own subpackages.
        slices().matching("dev.lethe.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theDiffDoesNotReachIntoTheExecutor() {
        noClasses().that().resideInAPackage("dev.lethe.diff..")
                .should().dependOnClassesThat().resideInAPackage("dev.lethe.exec..")
                .check(classes);
    }

    /** The top-level packages as wholes, without exception: root's overlay removes trees with tree, not exec. */
    @Test
    void theTopLevelPackagesHaveNoCycles() {
        slices().matching("dev.lethe.(*)..").should().beFreeOfCycles().check(classes);
    }
}
