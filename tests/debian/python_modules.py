"""Lists the standard-library files a Python run imports, for an image that carries only
those (mapping all of /usr/lib/python3.11 costs ~19 s of directory decoding per boot under
this machine's kvm-pvm), and compiles their .pyc files as unchecked-hash pycs: TFS images
keep no mtimes, so Debian's timestamp-checked pycs would look stale and every boot would
recompile every module.

usage: python3.11 python_modules.py OUTDIR [SCRIPT [ARG...]]
  Runs SCRIPT as __main__ (its exit status and errors are ignored), or nothing (the
  modules of start-up alone, as for `-c pass`), then writes OUTDIR/modules.txt (one path a
  line, sorted) and OUTDIR/pyc/<the .pyc path of each .py>.
Used by debian_test.sh (python case) and tests/bench/issue6_bench.sh.
"""
import sys

STDLIB = "/usr/lib/python3.11/"


def imported_stdlib_files():
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(STDLIB):
            files.add(path)
    return sorted(files)


def write_outputs(outdir):
    files = imported_stdlib_files()  # before this helper imports anything more
    import importlib.util
    import py_compile
    with open(outdir + "/modules.txt", "w") as out:
        for path in files:
            out.write(path + "\n")
    for path in files:
        if path.endswith(".py"):
            py_compile.compile(path, cfile=outdir + "/pyc" + importlib.util.cache_from_source(path),
                               doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def main():
    outdir = sys.argv[1]
    try:
        if len(sys.argv) > 2:
            import runpy
            sys.argv = sys.argv[2:]
            runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit:
        pass
    finally:  # also when the script fails: its modules are still worth listing
        write_outputs(outdir)


main()
