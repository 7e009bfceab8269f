# image: btrfs-itools
# Scenario 5 (issue 9): a config error. The machine boots; lethe status and the journal say
# what is wrong.
pl=$(payload config-error stage1.sh stage2.sh)
vm boots "$pl" --timeout 700 --stage-timeout 300 || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"
vm_ok boots
