/*
 * Makes N small files under DIR, a thousand per directory (DIR/d00000/f0000 ...), in one process so
 * that a million take seconds. With "content", each file holds its own path; else it is empty.
 *   make-files DIR N [content]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: make-files DIR N [content]\n");
        return 2;
    }
    long n = atol(argv[2]);
    int content = argc > 3 && strcmp(argv[3], "content") == 0;
    char path[4096];
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0) {
            snprintf(path, sizeof path, "%s/d%05ld", argv[1], i / 1000);
            if (mkdir(path, 0755) != 0) { perror(path); return 1; }
        }
        snprintf(path, sizeof path, "%s/d%05ld/f%04ld", argv[1], i / 1000, i % 1000);
        int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
        if (fd < 0) { perror(path); return 1; }
        if (content && write(fd, path, strlen(path)) < 0) { perror(path); return 1; }
        close(fd);
    }
    return 0;
}
