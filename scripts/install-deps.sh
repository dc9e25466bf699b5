#!/usr/bin/env bash
# Installs what cshark needs to build and test on Debian 12 / Ubuntu 22.04+.
# Run as root (or it uses sudo). Safe to run again.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture; answer "no".
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
    build-essential meson ninja-build pkg-config \
    libwireshark-dev libwiretap-dev libwsutil-dev libglib2.0-dev libpcap-dev \
    check valgrind tshark \
    python3 python3-dev python3-pytest python3-lxml python3-mesonpy patchelf \
    python3-pip python3-venv \
    python3-pandas python3-dask python3-distributed \
    clang libfuzzer-14-dev  # the fuzz targets (scripts/fuzz.sh)
