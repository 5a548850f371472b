"""The common indicator set and its periodic snapshots."""
