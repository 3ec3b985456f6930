"""Throughput and memory benchmarks of the engines (run: ``bash scripts/benchmark.sh``)."""
