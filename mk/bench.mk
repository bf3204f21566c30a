# Benchmarks (see docs/performance.md).
bench:
	@echo "make bench: not built yet"; exit 1
bench-quick:
	@echo "make bench-quick: not built yet"; exit 1
