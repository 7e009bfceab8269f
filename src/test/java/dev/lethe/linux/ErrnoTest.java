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
}
