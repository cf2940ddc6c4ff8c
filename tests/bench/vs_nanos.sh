# Shared by abi_bench.sh and runtime_boot_bench.sh (source it; bash): the options every
# "ours against upstream Nanos" benchmark takes, and its set-up.

# vs_nanos_option ARGS...: takes --nanos KERNEL BOOT, --rounds N or --keep DIR from the
# front of ARGS into nanos_kernel/nanos_boot, rounds, keep; sets consumed to the number of
# words it used (0: ARGS starts with some other option).
vs_nanos_option() {
  consumed=0
  case $1 in
    --nanos) nanos_kernel=$(realpath "$2") nanos_boot=$(realpath "$3"); consumed=3 ;;
    --rounds) rounds=$2; consumed=2 ;;
    --keep) keep=$(realpath -m "$2"); consumed=2 ;;
  esac
}

# vs_nanos_setup NAME: checks the build's tools (mkimage, run), makes the work directory
# (removed at exit unless --keep) and lists the systems to boot: ours, and nanos when
# --nanos was given.
vs_nanos_setup() {
  mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run
  local f
  for f in "$mkimage" "$run" "$build/share/nanos-unikernel/kernel.img"; do
    [[ -e $f ]] || { echo "$1: $f missing (build nanos-mkimage, nanos-run, kernel_image)" >&2; exit 2; }
  done
  work=${keep:-$(mktemp -d)}
  mkdir -p "$work"
  [[ -z $keep ]] && trap 'rm -rf "$work"' EXIT
  systems=(ours)
  [[ -n $nanos_kernel ]] && systems+=(nanos)
  return 0
}
