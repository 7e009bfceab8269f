/*
 * lethe's native functions, for dev.lethe.linux.ffm.JniSyscall: libc's syscall() with six integer
 * arguments, which returns the call's result, or -errno when the call fails, read here, in the same
 * native frame, so that nothing else on the thread can change errno first; and the address of a
 * direct buffer, the memory the calls point at. The FFM downcall and MemorySegment.ofBuffer do the
 * same when this library is absent; through JNI the first call costs a symbol lookup instead of the
 * linker's generated stub and the FFM implementation's start (see docs/performance.md).
 */
#include <errno.h>
#include <jni.h>
#include <stdint.h>
#include <unistd.h>

JNIEXPORT jlong JNICALL Java_dev_lethe_linux_ffm_JniSyscall_syscall(JNIEnv *env, jclass cls, jlong number,
        jlong a, jlong b, jlong c, jlong d, jlong e, jlong f) {
    (void) env;
    (void) cls;
    long result = syscall((long) number, (long) a, (long) b, (long) c, (long) d, (long) e, (long) f);
    return result == -1 ? -(jlong) errno : (jlong) result;
}

JNIEXPORT jlong JNICALL Java_dev_lethe_linux_ffm_JniSyscall_address(JNIEnv *env, jclass cls, jobject buffer) {
    (void) cls;
    return (jlong) (intptr_t) (*env)->GetDirectBufferAddress(env, buffer);
}
