"""gnuplot for the plots of bench/startup.py and demo/fast_start.py: whether it is there, and one run of a script.

Only the Python standard library is used; bench/gnuplot.sh installs gnuplot where it can.
"""
import os
import subprocess
import sys

GNUPLOT = "/usr/bin/gnuplot"


def available(who):
    """True where gnuplot is installed; otherwise says "WHO: no gnuplot, no plot" on stderr."""
    if os.path.exists(GNUPLOT):
        return True
    print("%s: no gnuplot, no plot" % who, file=sys.stderr)
    return False


def run(script, who):
    """Runs gnuplot on SCRIPT; a failure is one line "WHO: gnuplot failed: ..." on stderr, not an error."""
    r = subprocess.run([GNUPLOT], input=script, capture_output=True, text=True)
    if r.returncode != 0:
        print("%s: gnuplot failed: %s" % (who, r.stderr), file=sys.stderr)
    return r.returncode == 0
