package dev.lethe.config;

import static dev.lethe.config.ConfigLoaderTest.assertError;
import static dev.lethe.config.ConfigLoaderTest.errorsOf;
import static dev.lethe.config.ConfigLoaderTest.onlyErrorOf;
import static dev.lethe.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.model.AbsolutePath;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** [metrics]: the node-exporter textfile the units write, checked with file:line. */
class MetricsConfigParseTest {

    @Test
    void aTextfileIsReadAsAnAbsolutePath() throws ConfigException {
        assertThat(parse("""
                [[store]]
                path = "/persist"
                directories = ["/var/log"]

                [metrics]
                textfile = "/var/lib/prometheus/node-exporter/lethe.prom"
                """).metrics().textfile()).contains(AbsolutePath.of("/var/lib/prometheus/node-exporter/lethe.prom"));
    }

    @Test
    void withoutMetricsOrTextfileNothingIsWritten() throws ConfigException {
        assertThat(parse("").metrics()).isEqualTo(MetricsConfig.NONE);
        assertThat(parse("[metrics]\n").metrics().textfile()).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            var/lib/node-exporter/lethe.prom       | relative
            /var/lib/../node-exporter/lethe.prom   | ..
            /var/lib/node-exporter/lethe.txt       | must end in .prom
            """)
    void aBadTextfileIsAnErrorOnItsLineNamingThePath(String path, String phrase) {
        ConfigError error = onlyErrorOf("[[store]]\npath = \"/persist\"\n\n[metrics]\ntextfile = \"" + path + "\"\n");
        assertError(error, 5, path, "textfile in [metrics]", phrase);
    }

    @Test
    void aTextfileOfTheWrongTypeOrAnUnknownKeyIsNamed() {
        assertThat(onlyErrorOf("[metrics]\ntextfile = true\n").message()).contains("must be a path string");
        assertThat(onlyErrorOf("metrics = \"/x.prom\"\n").message()).contains("metrics must be a table");
        assertThat(errorsOf("[metrics]\ntextfiel = \"/var/lib/x.prom\"\n")).hasSize(1).first()
                .satisfies(e -> assertThat(e.origin().line()).isEqualTo(2));
    }
}
