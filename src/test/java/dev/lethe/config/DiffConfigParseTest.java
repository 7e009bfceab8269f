package dev.lethe.config;

import static dev.lethe.config.ConfigLoaderTest.assertError;
import static dev.lethe.config.ConfigLoaderTest.errorsOf;
import static dev.lethe.config.ConfigLoaderTest.onlyErrorOf;
import static dev.lethe.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.PathGlob;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** [diff]: the ignore globs lethe diff leaves out, each checked with file:line. */
class DiffConfigParseTest {

    @Test
    void ignoreGlobsAreReadInTheOrderWritten() throws ConfigException {
        DiffConfig diff = parse("""
                [[store]]
                path = "/persist"
                directories = ["/var/log"]

                [diff]
                ignore = [
                  "/var/cache/**",
                  "/var/log/journal/**",   # never reached: /var/log is persisted; harmless
                  "/tmp/**",
                  "/home/*/.cache/{thumbnails,mesa_shader_cache}",
                ]
                """).diff();
        assertThat(diff.ignore()).extracting(PathGlob::value).containsExactly("/var/cache/**", "/var/log/journal/**",
                "/tmp/**", "/home/*/.cache/{thumbnails,mesa_shader_cache}");
    }

    @Test
    void withoutDiffOrIgnoreNothingIsIgnored() throws ConfigException {
        assertThat(parse("").diff().ignore()).isEmpty();
        assertThat(parse("[diff]\n").diff().ignore()).isEmpty();
        assertThat(parse("[diff]\nignore = []\n").diff().ignore()).isEmpty();
    }

    @Test
    void theCommandLineGlobsComeAfterTheConfigs() throws ConfigException {
        assertThat(parse("[diff]\nignore = [\"/var/cache/**\"]\n").diff().ignoreAnd(List.of("/tmp/**")))
                .containsExactly("/var/cache/**", "/tmp/**");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            var/cache/**      | relative
            **/cache          | relative
            /var/../etc/**    | .. name
            /var/cache/       | ends with /
            /var//cache/**    | //
            /var/./cache/**   | . name
            /var/[cache       | does not compile: Missing ']
            /var/[cache/**    | does not compile: Explicit 'name separator' in class
            /var/{cache,tmp   | does not compile: Missing '}
            /var/{a,{b,c}}    | does not compile: Cannot nest groups
            """)
    void aBadGlobIsAnErrorOnItsLineNamingTheGlob(String glob, String phrase) {
        ConfigError error = onlyErrorOf("[diff]\nignore = [\n  \"/tmp/**\",\n  \"" + glob + "\",\n]\n");
        assertError(error, 4, glob, "ignore: ", phrase);
    }

    @Test
    void aTrailingSlashSaysWhatToWriteInstead() {
        assertThat(onlyErrorOf("[diff]\nignore = [\"/var/cache/\"]\n").message())
                .contains("write /var/cache for the directory and everything in it, or /var/cache/** for its contents only");
    }

    @Test
    void unknownKeysInDiffGetADidYouMean() {
        List<ConfigError> errors = errorsOf("""
                [diff]
                ignroe = ["/var/cache/**"]
                colour = true
                """);
        assertThat(errors).extracting(e -> e.origin().line()).containsExactly(2, 3);
        assertThat(errors.get(0).message()).contains("unknown key 'ignroe' in [diff]; did you mean 'ignore'?");
        assertThat(errors.get(1).message()).contains("unknown key 'colour' in [diff]; the known ones are ignore");
    }

    @Test
    void aTypoOfDiffAtTheTopLevelGetsADidYouMean() {
        ConfigError error = onlyErrorOf("[dif]\nignore = [\"/var/cache/**\"]\n");
        assertThat(error.origin().line()).isEqualTo(1);
        assertThat(error.message()).contains("unknown key 'dif' in the top level; did you mean 'diff'?");
    }

    @Test
    void ignoreMustBeAnArrayOfStrings() {
        ConfigError notAnArray = onlyErrorOf("[diff]\nignore = \"/var/cache/**\"\n");
        assertThat(notAnArray.origin().line()).isEqualTo(2);
        assertThat(notAnArray.message()).contains("ignore must be an array of globs", "found a string");
        List<ConfigError> errors = errorsOf("[diff]\nignore = [\n  \"/var/cache/**\",\n  7,\n  { path = \"/tmp\" },\n]\n");
        assertThat(errors).extracting(e -> e.origin().line()).containsExactly(4, 5);
        assertThat(errors.get(0).message()).contains("each item of ignore in [diff] must be a glob string", "found an integer");
        assertThat(errors.get(1).message()).contains("found a table");
    }

    @Test
    void diffMustBeATable() {
        ConfigError error = onlyErrorOf("diff = [\"/var/cache/**\"]\n");
        assertThat(error.origin().line()).isEqualTo(1);
        assertThat(error.message()).contains("diff must be a table", "[diff]", "found an array");
    }

    @Test
    void diffErrorsAreReportedWithTheOthersInLineOrder() {
        List<ConfigError> errors = errorsOf("""
                [[store]]
                path = "persist"
                [diff]
                ignore = ["tmp/**"]
                """);
        assertThat(errors).extracting(e -> e.origin().line()).containsExactly(2, 4);
    }
}
