# Run by Debian's python3.11 inside the unikernel and on the host; debian_test.sh compares
# the two outputs byte for byte (and the file this script leaves behind). Four threads hash
# their own streams and sleep, then the results go through json into a file that is read
# back, and everything ends in one digest.
import hashlib
import json
import os
import sys
import threading
import time

ROUNDS = 20000
results = {}
lock = threading.Lock()
barrier = threading.Barrier(4)


def worker(n):
    h = hashlib.sha256()
    for i in range(ROUNDS):
        h.update(b"%d:%d\n" % (n, i))
    barrier.wait()          # all four are running at the same time
    time.sleep(0.02 * n)    # sleeping threads let the others run
    with lock:
        results[n] = (h.hexdigest(), threading.current_thread().name)


threads = [threading.Thread(target=worker, args=(n,), name="worker-%d" % n) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads joined:", len(results), "results,", threading.active_count(), "thread left")
for n in sorted(results):
    print(n, results[n][1], results[n][0][:16])

doc = {
    "digests": {str(n): results[n][0] for n in sorted(results)},
    "squares": [i * i for i in range(50)],
    "nested": {"pi": 3.141592653589793, "ok": True, "none": None, "text": "h\u00e9llo"},
}
text = json.dumps(doc, sort_keys=True, indent=1)
with open("result.json", "w") as f:
    f.write(text)
with open("result.json") as f:
    back = json.load(f)
print("json round trip:", back == doc, len(text), "bytes,", os.path.getsize("result.json"), "on disk")

t0 = time.monotonic()
time.sleep(0.1)
slept = time.monotonic() - t0
print("time.sleep(0.1) took at least 0.1 s:", slept >= 0.1)
print("digest", hashlib.sha256(text.encode()).hexdigest())
sys.exit(3)
