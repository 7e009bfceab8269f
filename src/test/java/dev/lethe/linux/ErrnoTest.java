package dev.lethe.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    /** A user reads the description, not the number: every errno lethe names has one. */
    @Test
    void everyNamedErrnoIsDescribedByName() throws Exception {
        for (Field field : Errno.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                assertThat(Errno.describe(field.getInt(null))).as(field.getName()).startsWith(field.getName() + ", ");
            }
        }
    }

    @Test
    void nameTooLongIsDescribed() {
        assertThat(Errno.describe(36)).startsWith("ENAMETOOLONG, ");
    }

    /** A failure kept as the bytes of the name reads exactly as one made with the name as a string. */
    @Test
    void aFailureOnTheBytesOfANameSaysTheSameAsOneOnTheName() {
        byte[] name = "caf\u00e9/d1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ErrnoException fromBytes = ErrnoException.onName("statx", name, Errno.ENOENT);
        ErrnoException fromString = new ErrnoException("statx", "caf\u00e9/d1", Errno.ENOENT);
        assertThat(fromBytes.getMessage()).isEqualTo(fromString.getMessage())
                .isEqualTo("statx caf\u00e9/d1: ENOENT, no such file or directory");
        assertThat(fromBytes.path()).isEqualTo("caf\u00e9/d1");
        assertThat(fromBytes).hasMessage(fromBytes.getMessage()).hasToString(ErrnoException.class.getName() + ": " + fromBytes.getMessage());
        assertThat(fromBytes.withPath("/root/caf\u00e9/d1")).hasMessage("statx /root/caf\u00e9/d1: ENOENT, no such file or directory");
        assertThat(new ErrnoException("close", null, Errno.EBADF)).hasMessage("close: EBADF, bad file descriptor");
    }
}
