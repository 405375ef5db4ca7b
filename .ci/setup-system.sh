#!/usr/bin/env bash
# Installs the system pieces webgpu-detect needs on Debian bookworm (root):
# Mesa 25 lavapipe from bookworm-backports (bookworm's Mesa 22 is too old for Dawn)
# Debian's chromium (browser tests; also brings the SwiftShader Vulkan ICD) and redis-server
# (the queue tests start their own on 127.0.0.1; workers on several machines need one).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ ! -f /etc/apt/sources.list.d/backports.sources ]; then
  uris=$(awk '/^URIs:/{print; exit}' /etc/apt/sources.list.d/debian.sources)
  signed=$(awk '/^Signed-By:/{print; exit}' /etc/apt/sources.list.d/debian.sources)
  printf 'Types: deb\n%s\nSuites: bookworm-backports\nComponents: main\n%s\n' "$uris" "$signed" \
    > /etc/apt/sources.list.d/backports.sources
fi
apt-get update -q
apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers
apt-get install -y -q chromium fonts-dejavu-core redis-server
