"""Fairness, workload and resilience analytics over the schedule."""
