# Sourced by bench/startup.sh and demo/fast-start.sh: installs gnuplot-nox (for their plots) when it
# is missing and this shell runs as root; otherwise says there will be no plot. $1 names the caller
# in what it prints.
ensure_gnuplot() {
  command -v gnuplot >/dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "$1: installing gnuplot-nox (for the plot)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null) \
      || echo "$1: could not install gnuplot-nox; no plot" >&2
  else
    echo "$1: no gnuplot (apt-get install gnuplot-nox); no plot" >&2
  fi
}
