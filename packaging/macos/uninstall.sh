#!/bin/sh
# Removes the clawwatch sensor from a Mac (run as root, e.g. from a Jamf policy).
# KEEP_DATA=1 keeps /Library/Application Support/clawwatch (config, enroll.env) and /var/db/clawwatch
# (spool, host id) for a reinstall; the default removes them.
set -eu
label=com.clawwatch.sensor
/bin/launchctl bootout "system/$label" >/dev/null 2>&1 || true
/bin/rm -f "/Library/LaunchDaemons/$label.plist" /usr/local/bin/clawwatch
/bin/rm -rf /usr/local/clawwatch /Library/Logs/clawwatch
if [ "${KEEP_DATA:-0}" != 1 ]; then
    /bin/rm -rf "/Library/Application Support/clawwatch" /var/db/clawwatch
fi
/usr/sbin/pkgutil --forget "$label" >/dev/null 2>&1 || true
echo "clawwatch removed"
