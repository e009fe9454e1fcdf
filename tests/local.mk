# Test support shared by every test program.
check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h

# Source-tree checks: layering (DESIGN.md §2) and banned functions (STYLE.md).
TESTS += tests/check-layering.sh tests/check-banned.sh
EXTRA_DIST += tests/check-layering.sh tests/check-banned.sh

# The test forge's own tests, and its responses checked through Prism against
# GitHub's OpenAPI description (skips without Node >= 20 and npm ci).
TESTS += tests/fakeforge/test_fakeforge.py tests/contract/test_fakeforge_contract.sh
EXTRA_DIST += tests/tap.h tests/fakeforge tests/fixtures tests/e2e tests/fuzz/corpus \
	tests/policy/fixtures \
	tests/contract/package.json tests/contract/package-lock.json tests/contract/lib.sh \
	tests/contract/prism.sh tests/contract/validate-graphql.mjs \
	tests/contract/test_fakeforge_contract.sh tests/contract/replay.py

# Directories in EXTRA_DIST come whole: drop caches a local run left behind.
dist-hook:
	rm -rf `find $(distdir)/tests -name __pycache__ -o -name node_modules -o -name '.fakeforge-cache'`
