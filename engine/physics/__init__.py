"""One replica: memory, step time, batching under latency limits, calibration against benchmarks."""
