package dev.lethe.root.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootNameTest {

    @Test
    void aNameIsTheUtcSecondOfTheWipe() {
        BootName name = BootName.at(Instant.parse("2026-11-28T21:45:00.987Z"));
        assertThat(name.id()).isEqualTo("20261128T214500Z");
        assertThat(name.created()).isEqualTo(Instant.parse("2026-11-28T21:45:00Z"));
        assertThat(BootName.parse("20261128T214500Z")).contains(name);
    }

    @Test
    void onlyNamesLetheGivesParse() {
        for (String other : new String[] {"", "current", "20261128T214500", "20261128T214500Z.degraded", "20261399T000000Z",
                "20260230T000000Z", "20261128T246000Z", ".destroying-20261128T214500Z", "../20261128T214500Z",
                "2026-11-28T21:45:00Z", "20261128t214500z", "120261128T214500Z"}) {
            assertThat(BootName.parse(other)).as(other).isEmpty();
        }
    }

    @Test
    void aNewNameIsAlwaysPastTheNewest() {
        Optional<BootName> newest = BootName.parse("20261128T214500Z");
        assertThat(BootName.after(Instant.parse("2026-11-29T06:00:00Z"), newest).id()).isEqualTo("20261129T060000Z");
        assertThat(BootName.after(Instant.parse("2026-11-28T21:45:00Z"), newest).id()).isEqualTo("20261128T214501Z");
        assertThat(BootName.after(Instant.EPOCH, newest).id()).isEqualTo("20261128T214501Z");
        assertThat(BootName.after(Instant.EPOCH, Optional.empty()).id()).isEqualTo("19700101T000000Z");
    }
}
