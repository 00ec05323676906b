# Shared by scripts/test and scripts/demo: locating the repository and installing what is missing.
# Dependencies come from Debian's packages only (Debian 12 / Ubuntu 22.04+), installed with apt.

BULWARK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export BULWARK_ROOT

# Packages needed to build and test. Boost >= 1.81 is a versioned package on Debian 12.
BULWARK_BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config clang
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev openssl libsqlite3-dev sqlite3 libcurl4-openssl-dev
  libcryptsetup-dev cryptsetup-bin util-linux
  zlib1g-dev libpq-dev postgresql libsystemd-dev systemd
)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root (or sudo) to run: $*"
  fi
}

# Installs every package of the given list that is not installed yet; apt is touched only
# when something is missing, so a prepared machine never waits on the network.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# The optimised tree that scripts/test and scripts/demo share (so the demo reuses its objects).
BULWARK_RELEASE_OPTIONS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBULWARK_WERROR=ON -DBULWARK_SANITIZE=OFF -DBULWARK_BUILD_TESTS=ON -DBULWARK_BUILD_BENCH=ON -DBULWARK_LINE_TABLES_ONLY=ON"
BULWARK_ASAN_OPTIONS="-DCMAKE_BUILD_TYPE=Debug -DBULWARK_WERROR=ON -DBULWARK_SANITIZE=ON -DBULWARK_BUILD_TESTS=ON -DBULWARK_BUILD_BENCH=OFF -DBULWARK_LINE_TABLES_ONLY=ON"

# Configures and builds one build tree.
# Usage: build_tree DIR [--target T] -- [cmake configure args...]
build_tree() {
  local dir=$1
  shift
  local target=()
  if [ "${1:-}" = "--target" ]; then target=(--target "$2"); shift 2; fi
  [ "${1:-}" = "--" ] && shift
  # shellcheck disable=SC2068
  cmake -S "$BULWARK_ROOT" -B "$dir" -G Ninja $@ >/dev/null
  cmake --build "$dir" -j "$(nproc)" "${target[@]}"
}
