# Benchmarks and memory checks, run by hand: none of these is part of
# `make check` or CI, except the short soak below.  Speed and size are
# figures beside a reference measured on the same run (git diff, tig, less),
# never timed assertions.

EXTRA_DIST += tests/bench/bench_term.sh tests/bench/valgrind-gatehouse.sh \
	tests/bench/mkbigpr.py tests/bench/soak.sh tests/bench/soak.py tests/bench/test_soak.sh

# make soak: the load and soak test (20 to 60 minutes): 10,000 PRs, the
# 2,000-file PR, 14,400 keys ("8 hours" at one key every 2 s) and 96 queue
# refreshes; memory sampled along the way into soak-memory.csv; fails if the
# program dies or its memory grows.  GTH_SOAK_* variables: tests/bench/soak.sh.
# Its short version (1,200 PRs, 1,200 keys) runs in make check.
TESTS += tests/bench/test_soak.sh
CLEANFILES += tests/bench/test_soak-memory.csv soak-memory.csv
soak: gatehouse
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    GATEHOUSE='$(abs_top_builddir)/gatehouse' PYTHON3='$(PYTHON3)' \
	    bash $(top_srcdir)/tests/bench/soak.sh

# make bench-term: bytes written to the terminal per keystroke at 160x48 on
# the bench-diff PR, for the console beside tig and less.
bench-term: gatehouse
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    GATEHOUSE='$(abs_top_builddir)/gatehouse' PYTHON3='$(PYTHON3)' \
	    bash $(top_srcdir)/tests/bench/bench_term.sh

# make bench: every benchmark in turn; one that fails to start or to finish
# is named at the end and fails the run, after the others have run.  A
# benchmark that is also a prerequisite of `bench` has already run by then.
GTH_BENCHES = bench-diff bench-queue bench-term
bench:
	@failed=''; \
	for b in $(GTH_BENCHES); do \
	    case ' $^ ' in *" $$b "*) echo "== $$b: ran above"; continue ;; esac; \
	    echo "== $$b"; \
	    $(MAKE) $(AM_MAKEFLAGS) $$b || { echo "== $$b: FAILED (exit $$?)"; failed="$$failed $$b"; }; \
	done; \
	if test -n "$$failed"; then echo "== bench: FAILED:$$failed"; exit 1; fi; \
	echo "== bench: all of $(GTH_BENCHES) ran"

# make valgrind-e2e: the end-to-end console test with the binary under
# valgrind memcheck; prints each process's errors and definite leaks.
VALGRIND_LOG_DIR = $(abs_top_builddir)/tests/bench/valgrind-logs
valgrind-e2e: gatehouse
	@command -v valgrind >/dev/null || { echo "valgrind-e2e: apt-get install valgrind"; exit 2; }
	rm -rf '$(VALGRIND_LOG_DIR)'
	@rc=0; \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' PYTHON3='$(PYTHON3)' \
	GATEHOUSE='$(abs_top_srcdir)/tests/bench/valgrind-gatehouse.sh' \
	GATEHOUSE_REAL='$(abs_top_builddir)/gatehouse' VALGRIND_LOG_DIR='$(VALGRIND_LOG_DIR)' \
	    bash $(top_srcdir)/tests/e2e/test_console.sh || rc=$$?; \
	bad=$$(grep -l 'ERROR SUMMARY: [1-9]' \
	    '$(VALGRIND_LOG_DIR)'/vg.*.log 2>/dev/null); \
	echo "valgrind-e2e: $$(ls '$(VALGRIND_LOG_DIR)' 2>/dev/null | wc -l) processes checked," \
	    "test exit $$rc; logs in $(VALGRIND_LOG_DIR)"; \
	grep -h 'Command:\|ERROR SUMMARY\|definitely lost' '$(VALGRIND_LOG_DIR)'/vg.*.log 2>/dev/null; \
	for f in $$bad; do echo "== $$f"; cat "$$f"; done; \
	test -z "$$bad" && test $$rc -eq 0

.PHONY: bench-term valgrind-e2e soak
