# Test support shared by every test program.
check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h

# Source-tree checks: layering (DESIGN.md §2) and banned functions (STYLE.md).
TESTS += tests/check-layering.sh tests/check-banned.sh
EXTRA_DIST += tests/check-layering.sh tests/check-banned.sh
