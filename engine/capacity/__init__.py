"""Demand and fleets: what the workload asks, and how many replicas and accelerators carry it."""
