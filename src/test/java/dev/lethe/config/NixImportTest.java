package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure translation; the fixtures are read through the command in {@code cli.ImportCommandTest}. */
class NixImportTest {

    @Test
    void symbolicModesBecomeOctal() {
        assertThat(NixImport.octal("u=rwx,g=rx,o=")).contains("0750");
        assertThat(NixImport.octal("u=rwx,g=,o=")).contains("0700");
        assertThat(NixImport.octal("a=rx,u=rwx")).contains("0755");
        assertThat(NixImport.octal("700")).contains("0700");
        assertThat(NixImport.octal("u+x")).isEmpty();
        assertThat(NixImport.octal("~0755")).isEmpty();
    }

    @Test
    void nestedEntriesThatLetheRefusesAreReportedAndDisabledStoresLeftOut() {
        Object json = Map.of(
                "/persist", Map.of("directories", List.of("/var/lib", "/var/lib/nixos")),
                "/old", Map.of("enable", false, "directories", List.of("/srv")));
        NixImport.Result result = NixImport.translate(NixImport.From.IMPERMANENCE, json);
        assertThat(result.toml()).contains("\"/var/lib\",", "\"/var/lib/nixos\",").doesNotContain("/srv");
        assertThat(result.notes()).containsExactly("/old: enable = false: left out");
        assertThat(result.problems()).singleElement().asString().contains("/var/lib/nixos: is inside /var/lib");
    }
}
