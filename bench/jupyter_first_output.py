"""Peer for bench/core-shell.bench.mjs: Jupyter's time from execute_request to the first output
of a one-line %%bash cell, median over N runs, with one kernel started ahead of time."""
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
km, kc = start_new_kernel(kernel_name="python3")
try:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        msg_id = kc.execute("%%bash\necho hi\n")
        first = None
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if first is None and msg["msg_type"] == "stream":
                first = time.perf_counter()
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        samples.append((first - t0) * 1000)
    print(f"{statistics.median(samples):.3f}")
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
