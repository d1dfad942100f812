"""Benchmarks behind `zhengshu bench …`: each prints one JSON line of figures."""
