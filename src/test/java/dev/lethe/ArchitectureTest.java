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
                        "dev.lethe.root..", "dev.lethe.cli..")
                .check(classes);
    }

    @Test
    void theTopLevelPackagesHaveNoCycles() {
        slices().matching("dev.lethe.(*)..").should().beFreeOfCycles().check(classes);
    }
}
