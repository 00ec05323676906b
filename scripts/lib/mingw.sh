# shellcheck shell=bash disable=SC2034
# Functions for cross-compiling the Windows agent with mingw-w64. Source after common.sh; it
# only defines functions and variables. Used by scripts/build-mingw-deps and scripts/build-windows.
#
# The third-party libraries (OpenSSL, libcurl, SQLite) are built from Debian's source packages
# (`apt-get source`) into a versioned prefix under ${BULWARK_CACHE_DIR:-$HOME/.cache/bulwark}:
#   mingw-w64/<openssl-ver>+<curl-ver>+<sqlite-ver>/{include,lib}
# A stamp file (.complete) is written last; without it the prefix is rebuilt from scratch.

BULWARK_MINGW_HOST=x86_64-w64-mingw32
BULWARK_MINGW_PACKAGES=(mingw-w64 g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix
  libz-mingw-w64-dev dpkg-dev tcl make perl)
BULWARK_MINGW_DEB_SRC_FILE=/etc/apt/sources.list.d/bulwark-deb-src.sources
BULWARK_MINGW_STAMP=.complete

# The cache root holding every mingw prefix (and the sources, builds and logs).
mingw_cache_root() {
  printf '%s\n' "${BULWARK_CACHE_DIR:-$HOME/.cache/bulwark}/mingw-w64"
}

# Enables deb-src for the Debian archive through our own file, mirroring the deb entries of
# /etc/apt/sources.list.d/debian.sources (URIs, Suites, Components, Signed-By). Does nothing
# when our file exists already or deb-src is enabled elsewhere. Runs `apt-get update` after.
mingw_enable_deb_src() {
  [ -f "$BULWARK_MINGW_DEB_SRC_FILE" ] && return 0
  if grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  local src=/etc/apt/sources.list.d/debian.sources
  [ -f "$src" ] || die "no $src to derive deb-src entries from; enable deb-src by hand"
  log "enabling deb-src in $BULWARK_MINGW_DEB_SRC_FILE"
  local tmp
  tmp=$(mktemp)
  # Rewrite every 'Types:' line to deb-src; keep the other fields (comments are dropped).
  sed -e '/^[[:space:]]*#/d' -e 's/^Types:.*/Types: deb-src/' "$src" >"$tmp"
  as_root install -m 0644 "$tmp" "$BULWARK_MINGW_DEB_SRC_FILE"
  rm -f "$tmp"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
}

# Prints the source versions of PKG worth trying, best first: the one the Linux build's -dev
# package DEV was built from (same code on both platforms), then every other one apt knows,
# newest first (a mirror may lack the newest one's files).
mingw_source_candidates() {
  local pkg=$1 dev=$2
  {
    dpkg-query -W -f='${source:Version}\n' "$dev" 2>/dev/null || true
    apt-cache showsrc --only-source "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -rV
  } | awk 'NF && !seen[$0]++'
}

# Fetches and unpacks `apt-get source PKG` (unpack only, no package build) once into
# SRCROOT/PKG and prints the unpacked tree (e.g. .../openssl/openssl-3.0.20). Later runs reuse
# it without touching the network. Usage: mingw_fetch_source PKG DEV SRCROOT LOG
mingw_fetch_source() {
  local pkg=$1 dev=$2 dir=$3/$1 logfile=$4
  local tree v
  tree=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name "${pkg}-*" 2>/dev/null | head -n 1)
  if [ -z "$tree" ]; then
    # Unpack next to the final place and rename, so an interrupted fetch leaves nothing behind.
    rm -rf "$dir" "$dir.tmp"
    for v in $(mingw_source_candidates "$pkg" "$dev"); do
      mkdir -p "$dir.tmp"
      if (cd "$dir.tmp" && apt-get source --only-source "$pkg=$v") >>"$logfile" 2>&1; then
        # Only the unpacked tree is kept; the downloaded archives are not needed again.
        find "$dir.tmp" -maxdepth 1 -type f -delete
        mv "$dir.tmp" "$dir"
        break
      fi
      log "source package $pkg=$v is not downloadable; trying the next version"
      rm -rf "$dir.tmp"
    done
    tree=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name "${pkg}-*" 2>/dev/null | head -n 1)
  fi
  if [ -z "$tree" ]; then
    printf -- '--- last 30 lines of %s ---\n' "$logfile" >&2
    tail -n 30 "$logfile" >&2
    die "no version of source package $pkg could be fetched (is deb-src enabled?)"
  fi
  printf '%s\n' "$tree"
}

# Prints the upstream version of an unpacked source tree (".../curl-7.88.1" -> "7.88.1").
mingw_tree_version() {
  local name
  name=$(basename "$1")
  printf '%s\n' "${name#*-}"
}

# Runs "$@" with stdout/stderr appended to LOG; on failure prints the log's last 30 lines and
# dies with CAUSE. Usage: mingw_run LOG CAUSE cmd args...
mingw_run() {
  local logfile=$1 cause=$2
  shift 2
  if ! "$@" >>"$logfile" 2>&1; then
    printf -- '--- last 30 lines of %s ---\n' "$logfile" >&2
    tail -n 30 "$logfile" >&2
    die "$cause (log: $logfile)"
  fi
}

# OpenSSL: only the libraries and headers (no apps, tests or docs).
mingw_build_openssl() {
  local src=$1 prefix=$2 logfile=$3
  log "building OpenSSL (log: $logfile)"
  (
    cd "$src" || exit 1
    mingw_run "$logfile" "OpenSSL configure failed" \
      ./Configure mingw64 no-shared no-tests no-module \
      --cross-compile-prefix="$BULWARK_MINGW_HOST-" --prefix="$prefix" --libdir=lib
    mingw_run "$logfile" "OpenSSL build failed" make -j2 build_libs
    mingw_run "$logfile" "OpenSSL install failed" make install_dev
  )
}

# libcurl: static, OpenSSL from PREFIX, zlib from the mingw sysroot, nothing else optional.
mingw_build_curl() {
  local src=$1 prefix=$2 logfile=$3
  log "building libcurl (log: $logfile)"
  (
    cd "$src" || exit 1
    # A static libcrypto needs these system libraries (its Libs.private) in configure's tests.
    mingw_run "$logfile" "curl configure failed" \
      env LIBS="-lws2_32 -lgdi32 -lcrypt32 -lbcrypt -ladvapi32 -luser32" ./configure --host="$BULWARK_MINGW_HOST" --prefix="$prefix" \
      --disable-shared --enable-static --with-openssl="$prefix" --with-zlib \
      --without-libpsl --disable-ldap --disable-ldaps --without-brotli --without-zstd \
      --without-libidn2 --without-nghttp2 --without-nghttp3 --without-ngtcp2 \
      --without-librtmp --without-libssh2 --without-libgsasl --disable-manual --disable-docs \
      --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 \
      --disable-imap --disable-smtp --disable-gopher --disable-mqtt --disable-smb
    mingw_run "$logfile" "curl build failed" make -j2 -C lib
    mingw_run "$logfile" "curl install failed" make -C lib install
    mingw_run "$logfile" "curl header install failed" make -C include install
  )
}

# SQLite: generate the amalgamation with the host's tools, cross-compile it into a static lib.
mingw_build_sqlite() {
  local src=$1 prefix=$2 logfile=$3
  log "building SQLite (log: $logfile)"
  local gen=$src/bulwark-amalgamation
  mkdir -p "$gen"
  (
    cd "$gen" || exit 1
    mingw_run "$logfile" "SQLite configure failed" ../configure --disable-tcl
    mingw_run "$logfile" "SQLite amalgamation failed" make -j2 sqlite3.c
    mingw_run "$logfile" "SQLite cross-compile failed" "$BULWARK_MINGW_HOST-gcc" -O2 -c sqlite3.c \
      -o sqlite3.o -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 \
      -DSQLITE_OMIT_LOAD_EXTENSION
    mingw_run "$logfile" "SQLite archive failed" "$BULWARK_MINGW_HOST-ar" rcs libsqlite3.a sqlite3.o
    install -D -m 0644 libsqlite3.a "$prefix/lib/libsqlite3.a"
    install -D -m 0644 sqlite3.h "$prefix/include/sqlite3.h"
    install -D -m 0644 sqlite3ext.h "$prefix/include/sqlite3ext.h"
  )
}

# Boost.ProgramOptions is not header-only: its sources are compiled by the WIN32 branch of
# cmake/BulwarkDependencies.cmake (-DBULWARK_MINGW_BOOST_PO_SRC=<dir>) against the host's Boost
# headers, so the source must be the same Boost version as libboost-program-options-dev.
# Fetches Debian's boost source package (`apt-get source --download-only`, ~74 MB) once,
# extracts ONLY libs/program_options/src from its orig tarball into
#   mingw-w64/boost-program-options/<boost-upstream-version>/src
# deletes the downloaded archives, and prints that src directory. Later runs only print it
# (no network). Independent of the OpenSSL/curl/SQLite prefix. Usage: mingw_boost_po_src
mingw_boost_po_src() {
  local root dev=libboost-program-options1.81-dev pkg=boost1.81
  root=$(mingw_cache_root)
  local base=$root/boost-program-options
  local found
  found=$(find "$base" -mindepth 2 -maxdepth 2 -type d -name src 2>/dev/null | sort -V | tail -n 1)
  # The host's headers decide which version is needed: "1.81.0-5+deb12u1" -> "1.81.0".
  local want
  want=$(dpkg-query -W -f='${source:Version}' "$dev" 2>/dev/null || true)
  want=${want%%-*}
  if [ -n "$want" ] && [ -d "$base/$want/src" ]; then
    printf '%s\n' "$base/$want/src"
    return 0
  fi
  if [ -z "$want" ] && [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 0
  fi
  local logfile=$root/fetch.log tmp=$root/src/$pkg.tmp v orig upstream
  mkdir -p "$root/src"
  for v in $(mingw_source_candidates "$pkg" "$dev"); do
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "fetching Debian source package $pkg=$v (program_options sources only are kept)"
    if (cd "$tmp" && apt-get source --download-only --only-source "$pkg=$v") >>"$logfile" 2>&1; then
      orig=$(find "$tmp" -maxdepth 1 -type f -name "${pkg}_*.orig.tar.*" | head -n 1)
      [ -n "$orig" ] || { log "no orig tarball in $pkg=$v"; continue; }
      upstream=${v%%-*}
      upstream=${upstream#*:}
      mkdir -p "$tmp/x"
      mingw_run "$logfile" "extracting program_options from $orig failed" \
        tar -xf "$orig" -C "$tmp/x" --wildcards '*/libs/program_options/src/*'
      local srcdir
      srcdir=$(find "$tmp/x" -type d -path '*/libs/program_options/src' | head -n 1)
      [ -n "$srcdir" ] || die "$orig has no libs/program_options/src"
      rm -rf "$base/$upstream"
      mkdir -p "$base/$upstream"
      mv "$srcdir" "$base/$upstream/src"
      rm -rf "$tmp"
      printf '%s\n' "$base/$upstream/src"
      return 0
    fi
    log "source package $pkg=$v is not downloadable; trying the next version"
  done
  rm -rf "$tmp"
  printf -- '--- last 30 lines of %s ---\n' "$logfile" >&2
  tail -n 30 "$logfile" >&2
  die "no version of source package $pkg could be fetched (is deb-src enabled?)"
}
