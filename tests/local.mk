# Test support shared by every test program.
check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h

# Source-tree checks: layering (DESIGN.md §2) and banned functions (STYLE.md).
TESTS += tests/check-layering.sh tests/check-banned.sh
EXTRA_DIST += tests/check-layering.sh tests/check-banned.sh

# The hostile corpus (acme/hostile in the demo, forge faults) end to end: the real
# binary in tmux, every byte it writes to the terminal scanned.
TESTS += tests/e2e/test_hostile.sh
EXTRA_DIST += tests/e2e/test_hostile.sh

# The test forge's own tests, and its responses checked through Prism against
# GitHub's OpenAPI description (skips without Node >= 20 and npm ci).
TESTS += tests/fakeforge/test_fakeforge.py tests/contract/test_fakeforge_contract.sh
# tests/e2e and tests/fakeforge also exist in a build tree (test logs), and
# automake copies a listed directory from the build tree when it is there:
# list their files one by one.
EXTRA_DIST += tests/fakeforge/README.md tests/fakeforge/fakeforge.py \
	tests/fakeforge/genscenario.py tests/fakeforge/github-subset.graphql \
	tests/fakeforge/gql.py tests/fakeforge/mkschema.py tests/fakeforge/test_fakeforge.py \
	tests/fakeforge/dialects tests/fakeforge/queries
EXTRA_DIST += tests/tap.h tests/fixtures tests/fuzz/corpus \
	tests/policy/fixtures \
	tests/contract/package.json tests/contract/package-lock.json tests/contract/lib.sh \
	tests/contract/prism.sh tests/contract/validate-graphql.mjs \
	tests/contract/test_fakeforge_contract.sh tests/contract/replay.py

# Directories in EXTRA_DIST come whole: drop caches a local run left behind.
dist-hook:
	rm -rf `find $(distdir)/tests -name __pycache__ -o -name node_modules -o -name '.fakeforge-cache'`
