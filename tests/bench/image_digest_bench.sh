#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md: the boot-time cost of checking the
# image content digest (image_digest, docs/image-format.md). One kernel, each image built
# three times -- with the digest (the default: metadata at mount, file data per chunk when
# read), with the digest checked eagerly (--set image_digest_check=eager: all file data at
# mount) and with --no-image-digest -- and booted in turn (digest, eager, plain, digest ...)
# under TCG through the PVH entry:
#   image_digest_bench.sh <build-dir> [runs]
# Per boot: kernel entry -> first user instruction (boot_timing; includes mounting the root
# filesystem, and the check at mount), the program's run (with the default check it includes
# hashing the chunks it reads), the mount check's own time (its boot_timing line), nanos-run's
# wall time. Then one boot of each under `-icount shift=0` (1 guest instruction = 1 ns: an
# instruction count, independent of the host's load).
# Images: hello (dynamic glibc, cc-built) and python3.11 -c pass with the stdlib modules it
# loads (tests/debian/python_modules.py), as tests/bench/issue12_bench.sh builds it.
set -euo pipefail
build=$(cd "${1:?usage: image_digest_bench.sh <build-dir> [runs]}" && pwd)
runs=${2:-5}
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run
kernel=$build/share/nanos-unikernel/kernel.img
python=/usr/bin/python3.11
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "preparing images ..." >&2
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$work/hello.c"
cc -O2 -o "$work/hello" "$work/hello.c"
env -i "$python" "$here/../debian/python_modules.py" "$work"
pyfiles=()
while read -r m; do
  pyfiles+=(--file "$m:$m")
  if [[ $m == *.py ]]; then
    pyc=$(dirname "$m")/__pycache__/$(basename "$m" .py).cpython-311.pyc
    pyfiles+=(--file "$work/pyc$pyc:$pyc")
  fi
done <"$work/modules.txt"
for variant in digest eager plain; do
  extra=()
  [[ $variant == eager ]] && extra=(--set image_digest_check=eager)
  [[ $variant == plain ]] && extra=(--no-image-digest)
  "$mkimage" build "$work/hello" -o "$work/hello-$variant.img" --boot-timing "${extra[@]}" >/dev/null
  "$mkimage" build "$python" -o "$work/python-$variant.img" --program-path "$python" \
    --arg -c --arg pass --boot-timing "${pyfiles[@]}" "${extra[@]}" >/dev/null
done
echo "load average before the boots: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for image in hello python; do # what the eager check reads: every file of the root partition
  "$mkimage" inspect "$work/$image-digest.img" | sed -n '/^root partition/,$p' |
    awk -v name="$image" '/^  file / { n++; b += $3 } END { printf "%s: %d files, %d bytes of file data\n", name, n, b }' >&2
done

boot() { # boot IMAGE [qemu args...]
  local image=$1
  shift
  "$run" "$image" --accel tcg --kernel "$kernel" --quiet --memory 256M --timeout 600 -- "$@" 2>&1 |
    tr -d '\r'
}
first_insn_us() { sed -n 's/^boot_timing: kernel entry -> first user instruction \([0-9]*\) us.*/\1/p'; }
# The program's own run: with the default check it includes hashing each chunk it reads.
ran_us() { sed -n 's/^boot_timing: kernel entry -> first user instruction [0-9]* us, program ran \([0-9]*\) us.*/\1/p'; }
check_us() { sed -n 's/^boot_timing: image_digest checked in \([0-9]*\) us.*/\1/p'; }

for image in hello python; do
  for ((i = 1; i <= runs; i++)); do
    for variant in digest eager plain; do
      start=$(date +%s%N)
      out=$(boot "$work/$image-$variant.img")
      end=$(date +%s%N)
      echo "$image $variant run $i: entry->first instruction $(first_insn_us <<<"$out") us," \
        "program ran $(ran_us <<<"$out") us, check at mount ${out:+$(check_us <<<"$out")} us," \
        "nanos-run wall $(((end - start) / 1000000)) ms"
    done
  done
  for variant in digest eager plain; do
    out=$(boot "$work/$image-$variant.img" -icount shift=0)
    echo "$image $variant icount: entry->first instruction $(first_insn_us <<<"$out") us," \
      "program ran $(ran_us <<<"$out") us, check at mount $(check_us <<<"$out") us"
  done
done
