"""Benchmarks: speed and memory targets, kept out of the test suite."""
