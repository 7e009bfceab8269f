package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fields of statx and getdents64 records are read from a Java copy of native memory by hand: the
 * same values as MemorySegment's own reads of the machine's byte order, for random bytes at every
 * offset (signs, high bits and all).
 */
class NativeFieldsTest {

    @Test
    void handReadFieldsEqualTheSegmentsOwnReads() {
        Random random = new Random(20261205L);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 200; round++) {
                byte[] bytes = new byte[64];
                random.nextBytes(bytes);
                MemorySegment segment = arena.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
                for (int at = 0; at + 8 <= bytes.length; at++) {
                    assertThat(FfmSyscalls.longAt(bytes, at)).isEqualTo(segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at));
                    assertThat(FfmSyscalls.intAt(bytes, at)).isEqualTo(segment.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                    assertThat(FfmSyscalls.unsignedShortAt(bytes, at))
                            .isEqualTo(Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)));
                }
            }
        }
    }
}
