package dev.lethe.linux.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fields of statx, getdents64 and btrfs records are read from a Java copy of native memory by
 * hand: the same values as MemorySegment's own reads of the machine's byte order (and of big-endian
 * order for a UUID's halves), for random bytes at every offset (signs, high bits and all).
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
                    assertThat(FfmSyscalls.bigEndianLongAt(bytes, at))
                            .isEqualTo(segment.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at));
                }
            }
        }
    }

    @Test
    void aCStringEndsAtItsNulOrAtTheFieldsEnd() {
        byte[] field = "xxsubvolume\0after".getBytes(StandardCharsets.UTF_8);
        assertThat(FfmSyscalls.cStringAt(field, 2, field.length)).isEqualTo("subvolume");
        assertThat(FfmSyscalls.cStringAt(field, 2, 5)).isEqualTo("sub");
        assertThat(FfmSyscalls.cStringAt(field, 12, field.length)).isEqualTo("after");
        assertThat(FfmSyscalls.cStringAt(field, 11, field.length)).isEmpty();
    }
}
