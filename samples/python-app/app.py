# A Python application as users bring one: Debian's python3.11 runs it unmodified, with C
# extensions that load libraries of other packages (sqlite3, ssl, lzma).
import hashlib
import lzma
import sqlite3
import ssl

db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE greeting(text TEXT)")
db.execute("INSERT INTO greeting VALUES ('Hello from Python in a Nanos unikernel!')")
print(db.execute("SELECT text FROM greeting").fetchone()[0])
print("openssl:", ssl.OPENSSL_VERSION.split()[0])
print("lzma round trip:", lzma.decompress(lzma.compress(b"x" * 1000)) == b"x" * 1000)
print("sha256:", hashlib.sha256(b"unikernel").hexdigest()[:16])
