#!/bin/sh
# Writes the MDM scripts an admin uploads, from one source:
#   packaging/mdm/build-mdm-scripts.sh OUTDIR
#     OUTDIR/jamf-extension-attribute.sh    prints <result>…</result>  (Jamf Pro extension attribute)
#     OUTDIR/intune-custom-attribute.sh     prints the bare value      (Intune "custom attributes for macOS")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-mdm-scripts.sh OUTDIR}
mkdir -p "$out"
cp "$here/jamf-extension-attribute.sh" "$out/jamf-extension-attribute.sh"
sed -e 's/^format=jamf$/format=plain/' \
    -e 's/^# Jamf Pro extension attribute "OpenClaw (clawwatch)".*/# Intune custom attribute for macOS "OpenClaw (clawwatch)" (data type: String)./' \
    "$here/jamf-extension-attribute.sh" > "$out/intune-custom-attribute.sh"
chmod 0755 "$out/jamf-extension-attribute.sh" "$out/intune-custom-attribute.sh"
grep -q '^format=plain$' "$out/intune-custom-attribute.sh"
