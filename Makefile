# The two commands the README promises. Both work on a fresh Debian machine with Python 3.11+.
.PHONY: run test bench setup
run:        ## set up, then run the main job
	bash scripts/run-main.sh
test:       ## set up, then run lint, type checks and the whole test suite
	bash scripts/test.sh
bench:      ## run every benchmark under tests/benchmarks (prints a report)
	bash scripts/bench.sh
setup:
	bash scripts/setup.sh
