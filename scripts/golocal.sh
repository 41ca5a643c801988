# scripts/golocal.sh — sourced by the lab's scripts (run, test, setup, pictures,
# screenshot) from the repository's root. It finds a Go that builds go.mod's
# release: the one on PATH when it is new enough (a Go of 1.21 or newer fetches
# go.mod's release by itself), or else the one scripts/setup bootstrapped into
# the user's cache folder, which it puts first on PATH.
lab_go_want=$(sed -n 's/^go \([0-9][0-9.]*\)[[:space:]]*$/\1/p' go.mod | head -1)
lab_go_dir="${XDG_CACHE_HOME:-$HOME/.cache}/protolab/go$lab_go_want"

# lab_go_ok [GO]: whether GO (default: go on PATH) builds go.mod's release.
lab_go_ok() {
  local v
  v=$("${1:-go}" env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$lab_go_want" "$v" | sort -V | head -1)" = "$lab_go_want" ]
}

if ! lab_go_ok && [ -x "$lab_go_dir/bin/go" ]; then
  export PATH="$lab_go_dir/bin:$PATH"
fi
