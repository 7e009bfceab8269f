package dev.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.config.Accounts.Group;
import dev.lethe.config.Accounts.User;
import dev.lethe.model.AbsolutePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {

    @Test
    void passwdSkipsCommentsBlanksNisAndMalformedLines() {
        List<User> users = Accounts.parsePasswd("""
                root:x:0:0:root:/root:/bin/bash
                # comment
                   \s
                +nisuser::::::
                -baduser::::::
                short:x:5:5
                toomany:x:6:6:g:/h:/bin/sh:extra
                badid:x:abc:6::/home/badid:/bin/sh
                :x:7:7::/home/noname:/bin/sh
                alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
                """);
        assertThat(users).containsExactly(
                new User("root", 0, 0, AbsolutePath.of("/root")),
                new User("alice", 1000, 1000, AbsolutePath.of("/home/alice")));
    }

    @Test
    void aMissingOrRelativeHomeBecomesTheRootWhichConfigRefuses() {
        assertThat(Accounts.parsePasswd("a:x:1:1:::/bin/sh\nb:x:2:2::home/b:/bin/sh\n"))
                .extracting(User::home).containsExactly(AbsolutePath.ROOT, AbsolutePath.ROOT);
    }

    @Test
    void groupParsesNameAndGid() {
        assertThat(Accounts.parseGroup("root:x:0:\n#x:x:1:\nadm:x:4:syslog,alice\nbroken:x:4\n+:::\nwheel:x:10:\n"))
                .containsExactly(new Group("root", 0), new Group("adm", 4), new Group("wheel", 10));
    }

    @Test
    void lookupsByNameThenIdThenRawId() {
        Accounts accounts = Accounts.of(
                List.of(new User("alice", 1000, 1000, AbsolutePath.of("/home/alice")),
                        new User("2000", 3000, 3000, AbsolutePath.of("/home/numeric"))),
                List.of(new Group("staff", 50)));
        assertThat(accounts.user("alice")).map(User::uid).contains(1000);
        assertThat(accounts.user("1000")).map(User::name).contains("alice");
        // A name made of digits wins over the same number as an id, as in getpwnam(3).
        assertThat(accounts.user("2000")).map(User::uid).contains(3000);
        assertThat(accounts.user("4242")).map(User::name).contains("4242");
        assertThat(accounts.user("4242")).map(User::uid).contains(4242);
        assertThat(accounts.user("mallory")).isEmpty();
        assertThat(accounts.user("-1")).isEmpty();
        assertThat(accounts.user("99999999999")).isEmpty();

        assertThat(accounts.group("staff")).contains(new Group("staff", 50));
        assertThat(accounts.group("50")).contains(new Group("staff", 50));
        assertThat(accounts.group("77")).contains(new Group("77", 77));
        assertThat(accounts.group("wheel")).isEmpty();
    }

    @Test
    void rawIdsAreNotKnownUsers() {
        Accounts accounts = Accounts.of(List.of(), List.of());
        assertThat(accounts.user("1000")).isPresent();
        assertThat(accounts.knownUser("1000")).isEmpty();
    }

    @Test
    void theFirstOfTwoLinesWithOneNameWins() {
        Accounts accounts = Accounts.of(List.of(
                new User("alice", 1000, 1000, AbsolutePath.of("/home/alice")),
                new User("alice", 1001, 1001, AbsolutePath.of("/home/other"))), List.of());
        assertThat(accounts.user("alice")).map(User::uid).contains(1000);
    }

    @Test
    void loadReadsTheManagedRoot(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "zed:x:4242:4343::/home/zed:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "zedgrp:x:4343:\n");
        Accounts accounts = Accounts.load(root);
        assertThat(accounts.user("zed")).contains(new User("zed", 4242, 4343, AbsolutePath.of("/home/zed")));
        assertThat(accounts.group("zedgrp")).contains(new Group("zedgrp", 4343));
    }

    @Test
    void missingFilesAreAnEmptyDatabase(@TempDir Path root) throws Exception {
        Accounts accounts = Accounts.load(root);
        assertThat(accounts.user("root")).isEmpty();
        assertThat(accounts.group("root")).isEmpty();
    }
}
