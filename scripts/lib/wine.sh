# shellcheck shell=bash
# Running the cross-compiled Windows binaries under Wine (Debian's wine64). Source after
# common.sh; it only defines functions and variables.
#
#   wine_start PREFIX   creates (or reuses) the 64-bit Wine prefix PREFIX, starts a persistent
#                       wineserver for it and boots it; exports WINEPREFIX and WINEDEBUG
#   wine_run EXE ARGS   runs a Windows program in that prefix; its exit code is returned
#   wine_stop           stops the prefix's wineserver (and every program still running in it)
#
# Wine's own noise (fixme:, err: lines) is off; set WINEDEBUG before wine_start to see it.

BULWARK_WINE_PACKAGES=(wine64)
BULWARK_WINE=/usr/lib/wine/wine64
BULWARK_WINESERVER=/usr/lib/wine/wineserver

wine_start() {
  local prefix=$1
  ensure_packages "${BULWARK_WINE_PACKAGES[@]}"
  [ -x "$BULWARK_WINE" ] || die "$BULWARK_WINE is missing after installing wine64"
  mkdir -p "$prefix"
  export WINEPREFIX=$prefix
  export WINEDEBUG=${WINEDEBUG:--all}
  # No Mono/Gecko download prompts: nothing of ours needs .NET or a browser engine.
  export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
  # A persistent server: each wine invocation otherwise starts and tears one down. Its output
  # goes nowhere: it outlives this shell and would hold a caller's pipe open.
  "$BULWARK_WINESERVER" -p >/dev/null 2>&1 </dev/null
  # Plain wineboot: `wineboot -i` on a new prefix can leave two services.exe running, and a
  # service created through one is then missing (1060) when looked up through the other.
  timeout 300 "$BULWARK_WINE" wineboot >/dev/null 2>&1 || die "wineboot failed in $prefix"
}

wine_run() {
  "$BULWARK_WINE" "$@"
}

wine_stop() {
  [ -n "${WINEPREFIX:-}" ] || return 0
  "$BULWARK_WINESERVER" -k 2>/dev/null || true
}
