package dev.lethe.doctor;

import dev.lethe.config.RootConfig;
import dev.lethe.model.AbsolutePath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The findings of {@code lethe doctor}, from one survey of the machine; an empty list is a healthy machine. */
public final class Doctor {
    private Doctor() {}

    public static List<Finding> examine(Survey survey) {
        List<Finding> findings = new ArrayList<>(StoreMounts.check(survey.config().stores(), survey.mountLines()));
        List<Finding> shadowed = Checks.shadowed(survey.hostRoot(), survey.entries(), survey.mounts());
        Set<AbsolutePath> shadowedTargets = new HashSet<>();
        shadowed.forEach(f -> shadowedTargets.add(f.path()));
        findings.addAll(Checks.entriesNotActive(survey.status(), shadowedTargets));
        findings.addAll(shadowed);
        RootConfig.Strategy strategy = survey.config().root().strategy();
        findings.addAll(Checks.identity(strategy, survey.entries(), survey.sshHostKeys()));
        findings.addAll(Checks.userDatabases(strategy, survey.entries(), survey.owners(), survey.passwdIds(),
                survey.groupIds()));
        findings.addAll(Tmpfiles.check(survey.tmpfilesRules(), survey.entries()));
        findings.addAll(RenamedFiles.check(survey.entries()));
        findings.addAll(Checks.disk(survey.disk()));
        return List.copyOf(findings);
    }
}
