package dev.lethe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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

    @Test
    void thePlannerIsPureAndSeesOnlyTheModel() {
        noClasses().that().resideInAPackage("dev.lethe.plan..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lethe.config..", "dev.lethe.exec..",
                        "dev.lethe.linux..", "dev.lethe.root..", "dev.lethe.cli..", "dev.lethe.diff..", "dev.lethe.boot..")
                .check(classes);
    }

    @Test
    void bootRendersAndNeverActs() {
        noClasses().that().resideInAPackage("dev.lethe.boot..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lethe.exec..", "dev.lethe.linux..",
                        "dev.lethe.cli..")
                .check(classes);
    }

    /** The initrd wipe is rendered from the strategies' pure planners and their steps, nothing that acts. */
    @Test
    void bootSeesOnlyTheWipeStepsAndPlannersOfRoot() {
        java.util.Set<String> zfs = java.util.Set.of("ZfsWipePlanner", "ZfsCommands", "ZfsNames");
        noClasses().that().resideInAPackage("dev.lethe.boot..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "root classes other than WipeStep, RootException and the zfs planner's",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("dev.lethe.root")
                                && !c.getName().startsWith("dev.lethe.root.WipeStep")
                                && !c.getName().equals("dev.lethe.root.RootException")
                                && !(c.getPackageName().equals("dev.lethe.root.zfs")
                                        && zfs.contains(c.getName().substring("dev.lethe.root.zfs.".length()).split("\\$")[0]))))
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

    @Test
    void theTopLevelPackagesHaveNoCycles() {
        slices().matching("dev.lethe.(*)..").should().beFreeOfCycles().check(classes);
    }
}
