# Python 3.11 from Debian's packages, in the image as on the host: the C extensions that need
# libraries of other packages (_ssl: libssl/libcrypto, _sqlite3: libsqlite3, _ctypes:
# libffi, _lzma: liblzma; _decimal has libmpdec built in). Every line printed is
# deterministic, so the guest's output must equal the host's byte for byte. With the argument
# "threadpool" it also runs multiprocessing.pool.ThreadPool (see runtime_test.sh).
import ctypes
import decimal
import hashlib
import json
import lzma
import sqlite3
import ssl
import sys

print("ssl:", ssl.OPENSSL_VERSION)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
print("ssl context:", context.verify_mode == ssl.CERT_REQUIRED, context.check_hostname)
print("ssl md5 of a block:", hashlib.new("md5", b"x" * 1000).hexdigest())

db = sqlite3.connect("runtime.db")
db.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)")
db.executemany("INSERT INTO t(v) VALUES (?)", [("row-%04d" % i,) for i in range(500)])
db.commit()
print("sqlite:", sqlite3.sqlite_version, db.execute("SELECT count(*), max(v) FROM t").fetchone())
db.close()

libc = ctypes.CDLL("libc.so.6")
libc.strlen.restype = ctypes.c_size_t
print("ctypes strlen:", libc.strlen(b"unikernel"))
buffer = (ctypes.c_int * 5)(5, 3, 9, 1, 7)
compare = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
libc.qsort(buffer, 5, ctypes.sizeof(ctypes.c_int), compare(lambda a, b: a[0] - b[0]))
print("ctypes qsort callback:", list(buffer))

data = ("".join("line %d of the lzma input\n" % i for i in range(2000))).encode()
packed = lzma.compress(data, preset=6)
print("lzma:", len(data), "->", len(packed), hashlib.sha256(packed).hexdigest()[:16],
      lzma.decompress(packed) == data)

decimal.getcontext().prec = 40
print("decimal:", decimal.Decimal(1) / decimal.Decimal(7), decimal.Decimal("2").sqrt())


def work(n):
    digest = hashlib.sha256(str(n).encode())
    for _ in range(200):
        digest = hashlib.sha256(digest.digest())
    return n, digest.hexdigest()[:12]


if sys.argv[1:] == ["threadpool"]:
    from multiprocessing.pool import ThreadPool

    with ThreadPool(4) as pool:
        results = pool.map(work, range(24))
else:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(24)))
print("thread pool:", json.dumps(results[:3]), len(results))
print("thread pool digest:", hashlib.sha256(json.dumps(results).encode()).hexdigest())
