/* The floor for activation: the same mkdir/chown/chmod/bind-mount work as lethe's apply, made
 * directly from one C process. Reads lines "d|f SOURCE TARGET" on stdin. For the benchmark only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(char *path, mode_t mode) {
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, mode) && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    if (mkdir(path, mode) && errno != EEXIST) return -1;
    return 0;
}

int main(void) {
    char kind[4], source[4096], target[4096];
    int failures = 0;
    while (scanf("%3s %4095s %4095s", kind, source, target) == 3) {
        if (kind[0] == 'd') {
            if (mkdirs(source, 0755) || chown(source, 0, 0) || chmod(source, 0755) || mkdirs(target, 0755)) { failures++; continue; }
        } else {
            char *slash = strrchr(target, '/'); *slash = 0; mkdirs(target, 0755); *slash = '/';
            slash = strrchr(source, '/'); *slash = 0; mkdirs(source, 0755); *slash = '/';
            int fd = open(source, O_CREAT | O_WRONLY | O_CLOEXEC, 0644); if (fd >= 0) close(fd);
            fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644); if (fd >= 0) close(fd);
        }
        if (mount(source, target, NULL, MS_BIND, NULL)) failures++;
    }
    if (failures) fprintf(stderr, "%d failures\n", failures);
    return failures != 0;
}
