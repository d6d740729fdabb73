"""`./dev bench`: the proxy measured against its upstream, side by side, in one run.

Each section (latency, round trips, listing, large files, start-up) has its own module,
named in `sections.py`'s registry; `runner.py` starts the stack and runs the chosen ones,
`report.py` prints each one's table and writes the JSON.
A benchmark, not a test: nothing here asserts a time.
"""
