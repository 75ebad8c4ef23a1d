# Sourced by tools/fuzz.sh and tools/fuzz/ci.sh: the libFuzzer flags of each
# target, its cost limits included, so that a campaign, CI and a replayed
# regression input all judge an input the same way.
#   image, idx: the decoders' budget, ~256 MB (ASan's own overhead included;
#     a single allocation above the RSS limit counts) and ~1 s for any input
#     in a release build, which is 2 s or more under ASan and coverage (the
#     8000x8000 regression input: 1.0 s release, 2.2 s here) on a loaded
#     machine: the timeout is 4 s, still far below what bombs cost unbounded.
#   model: inference on a 16 KB model may legitimately take a while under ASan
#     with the unoptimized oracle beside it.
#   preprocess: images up to 2^18 pixels (the harness's bound), five runs each.
#   read: images up to 2^16 pixels, three or four readings each, every digit
#     found classified (and a wide group up to ten times more).
fuzz_flags_for() {
  case "$1" in
    model) echo "-max_len=16384 -timeout=10 -rss_limit_mb=1024" ;;
    preprocess) echo "-max_len=8192 -timeout=5 -rss_limit_mb=512" ;;
    read) echo "-max_len=8192 -timeout=10 -rss_limit_mb=512" ;;
    image) echo "-max_len=65536 -timeout=4 -rss_limit_mb=256" ;;
    idx) echo "-max_len=65536 -timeout=1 -rss_limit_mb=256" ;;
  esac
}

# ASan's default 256 MB quarantine would count against the decoders' 256 MB;
# leaks are not this runtime's failure mode (it never allocates).
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# libFuzzer and ASan print the stack of a crash; Swift's own backtracer would
# run inside the dying process and only add noise to the report.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
