#!/bin/sh
# Jamf Pro extension attribute "OpenClaw (clawwatch)"  -- Data type: String, Input type: Script.
# Reads the status the clawwatch sensor (LaunchDaemon) writes after every inventory snapshot; it does
# not run a scan itself: a scan started here would be a child of the Jamf agent, TCC would judge the
# agent rather than clawwatch, and Full Disk Access granted to clawwatch would not apply.
# Prints one of:
#   <result>high risk</result>             an OpenClaw/Clawdbot/Moltbot install with a finding >= high
#   <result>present</result>               an install, nothing high
#   <result>none</result>                  no install found
#   <result>stale</result>                 the status is older than CLAWWATCH_STALE_MINUTES (default 180)
#   <result>sensor not reporting</result>  no status yet (sensor not running, or not started yet)
#   <result>clawwatch missing</result>     the sensor package is not installed
#   <result>bad status</result>            the status file is not one this script understands
# Smart group example: "OpenClaw (clawwatch)" is "high risk" -> policy / ticket.
# The same script, rendered with format=plain, is the Intune custom attribute (build-mdm-scripts.sh).
format=jamf
bin=${CLAWWATCH_BIN:-/usr/local/clawwatch/clawwatch}
status=${CLAWWATCH_STATUS_FILE:-"/Library/Application Support/clawwatch/state/status"}
stale=${CLAWWATCH_STALE_MINUTES:-180}

say() {
    if [ "$format" = jamf ]; then
        echo "<result>$1</result>"
    else
        echo "$1"
    fi
    exit 0
}

value() {
    sed -n "s/^$1=//p" "$status" | head -n 1
}

[ -x "$bin" ] || say "clawwatch missing"
[ -f "$status" ] || say "sensor not reporting"
[ -z "$(find "$status" -mmin +"$stale" 2>/dev/null)" ] || say "stale"
[ "$(value format)" = 1 ] || say "bad status"
installs=$(value installs)
case "$installs" in
    '' | *[!0-9]*) say "bad status" ;;
esac
case "$(value worst)" in
    critical | high) say "high risk" ;;
    none | info | low | medium) ;;
    *) say "bad status" ;;
esac
if [ "$installs" -gt 0 ]; then
    say "present"
fi
say "none"
