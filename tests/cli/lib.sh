# Helpers for CLI tests: each test_*.sh is run by ctest as `bash test_x.sh /path/to/pubguard`
# from the repository root. Every check prints what it expected when it fails.
set -u
PGD=${1:?usage: test_x.sh PUBGUARD_BINARY}
TMP=$(mktemp -d)
export PGD_CACHE_DIR="$TMP/cache"
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0

ok() { PASSES=$((PASSES + 1)); }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# expect_status WANT CMD... : run CMD, capture stdout/stderr in $OUT/$ERR, compare exit status
expect_status() {
	local want=$1; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
	if [ "$got" -eq "$want" ]; then ok; else fail "'$*' exited $got, want $want; stderr: $ERR"; fi
}
expect_contains() { # HAYSTACK NEEDLE WHAT
	case "$1" in *"$2"*) ok ;; *) fail "$3: want '$2' in: $1" ;; esac
}
expect_not_contains() {
	case "$1" in *"$2"*) fail "$3: did not want '$2' in: $1" ;; *) ok ;; esac
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
