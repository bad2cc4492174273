#!/bin/sh
# Lays out the pkg payload (the tree pkgbuild packs, relative to /) from the PyInstaller onedir bundle:
#   packaging/macos/stage-payload.sh BUNDLE_DIR PAYLOAD_DIR [ENROLL_SECRET_FILE]
#     usr/local/clawwatch/                   the bundle (signed later by build-pkg.sh), sensor.toml.default,
#                                            uninstall.sh, install-enroll-secret
#     usr/local/bin/clawwatch                -> ../clawwatch/clawwatch
#     Library/LaunchDaemons/com.clawwatch.sensor.plist        0644
#     Library/Application Support/clawwatch/enroll-secret     0600, only with ENROLL_SECRET_FILE: a per-fleet
#                                            pkg that enrolls by itself (treat that pkg as the secret)
# Portable sh: also runs on Linux, where the tests check the tree.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: stage-payload.sh BUNDLE_DIR PAYLOAD_DIR [ENROLL_SECRET_FILE]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bundle=$1
payload=$2
secret=${3:-}
app="$payload/usr/local/clawwatch"
support="$payload/Library/Application Support/clawwatch"

if [ ! -x "$bundle/clawwatch" ]; then
    echo "stage-payload.sh: $bundle/clawwatch missing (build it with packaging/binary/build.sh)" >&2
    exit 1
fi
mkdir -p "$app" "$payload/usr/local/bin" "$payload/Library/LaunchDaemons" "$support"
cp -R "$bundle/." "$app/"
cp "$repo/packaging/linux/sensor.toml" "$app/sensor.toml.default"
cp "$here/uninstall.sh" "$here/install-enroll-secret" "$app/"
chmod 0644 "$app/sensor.toml.default"
chmod 0755 "$app/uninstall.sh" "$app/install-enroll-secret" "$support"
ln -sf ../clawwatch/clawwatch "$payload/usr/local/bin/clawwatch"
cp "$here/com.clawwatch.sensor.plist" "$payload/Library/LaunchDaemons/com.clawwatch.sensor.plist"
chmod 0644 "$payload/Library/LaunchDaemons/com.clawwatch.sensor.plist"
if [ -n "$secret" ]; then
    (umask 077 && cp "$secret" "$support/enroll-secret")
    chmod 0600 "$support/enroll-secret"
fi
