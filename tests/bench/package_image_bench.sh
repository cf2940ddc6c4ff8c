#!/usr/bin/env bash
# Image build time of a Debian package against `cp -r` of the same files (issue 14).
#
#   package_image_bench.sh MKIMAGE KERNEL BOOT [PACKAGE] [PROGRAM] [RUNS]
#
# Defaults: openjdk-17-jre-headless, its bin/java, 3 runs. The copy baseline copies exactly
# the files the image holds (the BOM's host paths, symlinks kept, into a fresh directory on
# the same filesystem as the image); both are timed cold for the destination, warm for the
# page cache of the sources (one untimed build first). Prints the best of RUNS for each.
set -euo pipefail
mkimage=${1:?usage: package_image_bench.sh MKIMAGE KERNEL BOOT [PACKAGE] [PROGRAM] [RUNS]}
kernel=${2:?}
boot=${3:?}
package=${4:-openjdk-17-jre-headless}
program=${5:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
runs=${6:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() {
  "$mkimage" build "$program" --program-path "$program" --package "$package" \
    --kernel "$kernel" --boot "$boot" -o "$work/image.img" "$@"
}
build --bom "$work/bom.json" # warms the page cache, lists the files
python3 - "$work/bom.json" >"$work/files.txt" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    if f["kind"] in ("file", "symlink") and f.get("host"):
        print(f["host"])
PY
bytes=$(python3 -c 'import json,sys; print(sum(f.get("size",0) for f in json.load(open(sys.argv[1]))["files"]))' "$work/bom.json")

best() { sort -n | head -1; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
image_times=() copy_times=()
for ((i = 0; i < runs; i++)); do
  rm -f "$work/image.img"
  image_times+=("$(ms build)")
  rm -rf "$work/copy"
  mkdir "$work/copy"
  copy_times+=("$(ms cp -P --parents -t "$work/copy" $(cat "$work/files.txt"))")
done
image_ms=$(printf '%s\n' "${image_times[@]}" | best)
copy_ms=$(printf '%s\n' "${copy_times[@]}" | best)
echo "package $package: $(wc -l <"$work/files.txt") files and links, $((bytes / 1048576)) MiB"
echo "nanos-mkimage build --package: ${image_ms} ms (best of $runs: ${image_times[*]})"
echo "cp -P --parents of the same files: ${copy_ms} ms (best of $runs: ${copy_times[*]})"
awk -v a="$image_ms" -v b="$copy_ms" 'BEGIN { printf "ratio: %.2fx of cp\n", a / b }'
