"""`./dev bench`: the proxy measured against its upstream, side by side, in one run.

Each section (latency, listing, large files, start-up, round trips) has its own module;
`runner.py` starts the stack and runs them, `report.py` prints the table and writes the JSON.
A benchmark, not a test: nothing here asserts a time.
"""
