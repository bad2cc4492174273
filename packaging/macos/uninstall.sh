#!/bin/sh
# Removes the clawwatch sensor from a Mac (run as root, e.g. from a Jamf policy):
#   sudo /usr/local/clawwatch/uninstall.sh
# Like the Debian package's purge, it also deletes the sensor's state and config
# (/Library/Application Support/clawwatch: host id, unsent alerts, enroll secret, sensor.toml) and its
# logs, UNLESS they are kept for a reinstall:
#   KEEP_DATA=1 sudo /usr/local/clawwatch/uninstall.sh, or
#   sudo touch "/Library/Application Support/clawwatch/keep-on-uninstall"   (before uninstalling)
# CLAWWATCH_ROOT=DIR works on a tree under DIR instead of / (no launchctl, no pkgutil): the tests use it.
set -eu
PATH=/usr/bin:/bin:/usr/sbin:/sbin
export PATH
root="${CLAWWATCH_ROOT:-}"
label=com.clawwatch.sensor
support="$root/Library/Application Support/clawwatch"

if [ -z "$root" ]; then
    launchctl bootout "system/$label" >/dev/null 2>&1 || true
fi
rm -f "$root/Library/LaunchDaemons/$label.plist" "$root/usr/local/bin/clawwatch"
rm -rf "$root/usr/local/clawwatch"
if [ "${KEEP_DATA:-0}" = 1 ] || [ -e "$support/keep-on-uninstall" ]; then
    echo "clawwatch: keeping $support and $root/Library/Logs/clawwatch (keep-on-uninstall)"
else
    rm -rf "$support" "$root/Library/Logs/clawwatch"
fi
if [ -z "$root" ]; then
    pkgutil --forget "$label" >/dev/null 2>&1 || true
fi
echo "clawwatch removed"
