"""The peerbot benchmark: `python -m bench` (or `make bench`); `python -m bench --smoke` for a quick check.

See `bench/run.py` for what it measures and how.
"""
