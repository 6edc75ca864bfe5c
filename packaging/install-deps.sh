#!/usr/bin/env bash
# Installs the Debian 12 packages rbee needs to build, test (clang for the fuzz harnesses; the
# system dictionary, wamerican, for the demo model's test) and run on lavapipe.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config \
  libboost-dev libboost-filesystem-dev libboost-system-dev \
  libvulkan-dev glslang-tools spirv-tools spirv-cross mesa-vulkan-drivers vulkan-tools vulkan-validationlayers \
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev \
  libcli11-dev nlohmann-json3-dev libpcre2-dev \
  clang-14 libclang-rt-14-dev \
  python3 file wamerican >/dev/null
