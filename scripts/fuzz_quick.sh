#!/usr/bin/env bash
# Every cargo-fuzz target for a short while (CI), or longer by hand:
#   bash scripts/fuzz_quick.sh [SECONDS_EACH]     # default 15
# Installs cargo-fuzz when it is missing. Stable Rust: no sanitizer (-s none),
# libFuzzer's coverage guidance still applies. A crash keeps its input under
# fuzz/artifacts/TARGET/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-15}
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi
for target in $(cargo fuzz list); do
    echo "fuzzing $target for ${seconds}s"
    # A fresh corpus folder per run: what a target found stays out of git.
    corpus=$(mktemp -d)
    log=$(mktemp)
    if ! cargo fuzz run "$target" -s none "$corpus" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=1048576 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $target failed; the input is under fuzz/artifacts/$target/"
        exit 1
    fi
    grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs)" "$log" || tail -n 2 "$log"
    rm -rf "$corpus" "$log"
done
echo "fuzzing: every target ran ${seconds}s without a crash"
