#!/bin/sh
# Jamf Pro extension attribute "OpenClaw (clawwatch)"  -- Data type: String, Input type: Script.
# Prints one of:
#   <result>high risk</result>          an OpenClaw/Clawdbot/Moltbot install with a finding >= high
#   <result>present</result>            an install, nothing high (clawwatch scan exit 1 only at --fail-on info)
#   <result>none</result>               no install found
#   <result>clawwatch missing</result>  the sensor package is not installed
#   <result>scan error N</result>       clawwatch scan exited N (2 = usage error)
# Built on `clawwatch scan --fail-on LEVEL` exit codes: 0 nothing at/above LEVEL, 1 something, 2 error.
# Smart group example: "OpenClaw (clawwatch)" is "high risk" -> policy / ticket.
# CLAWWATCH_BIN and CLAWWATCH_SCAN_ARGS (e.g. "--no-processes") override the defaults.
bin=${CLAWWATCH_BIN:-/usr/local/clawwatch/clawwatch}

if [ ! -x "$bin" ]; then
    echo "<result>clawwatch missing</result>"
    exit 0
fi

scan_exit() {
    # shellcheck disable=SC2086 # CLAWWATCH_SCAN_ARGS is a list of flags
    "$bin" scan --fail-on "$1" ${CLAWWATCH_SCAN_ARGS:-} >/dev/null 2>&1
    echo $?
}

high=$(scan_exit high)
case "$high" in
    1) result="high risk" ;;
    0)
        any=$(scan_exit info)
        case "$any" in
            1) result="present" ;;
            0) result="none" ;;
            *) result="scan error $any" ;;
        esac
        ;;
    *) result="scan error $high" ;;
esac
echo "<result>$result</result>"
exit 0
