#!/bin/sh
# Builds dist/clawwatch-<version>-<archs>.pkg on a Mac: stage the payload, sign every Mach-O, check the
# architectures, pkgbuild + productbuild, optionally sign the product and notarise it.
#   packaging/macos/build-pkg.sh
# Needs: the onedir bundle from packaging/binary/build.sh, built on this Mac (PyInstaller builds for the
# architecture of the Python it runs; for a universal2 pkg, build with a universal2 Python and wheels:
# the check below refuses a bundle whose libraries lack an architecture the executable claims).
# Optional environment:
#   CLAWWATCH_CODESIGN_IDENTITY   "Developer ID Application: ..."  signs every Mach-O (hardened runtime)
#   CLAWWATCH_INSTALLER_IDENTITY  "Developer ID Installer: ..."    signs the product archive
#   CLAWWATCH_NOTARY_PROFILE      notarytool keychain profile      submits, waits, staples
#   CLAWWATCH_ENROLL_SECRET_FILE  a file with the fleet's enroll secret: the pkg installs it root-only
#                                 (a per-fleet pkg: distribute it like the secret itself)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist="${CLAWWATCH_DIST:-$repo/dist}"
identifier=com.clawwatch.sensor

if [ "$(uname -s)" != Darwin ]; then
    echo "build-pkg.sh: pkgbuild/productbuild/codesign exist only on macOS" >&2
    exit 2
fi
bash "$repo/packaging/binary/build.sh"
bundle="$dist/clawwatch-dir"
version=$("$bundle/clawwatch" --version | awk '{print $2}')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
payload="$work/payload"
sh "$here/stage-payload.sh" "$bundle" "$payload" "${CLAWWATCH_ENROLL_SECRET_FILE:-}"
app="$payload/usr/local/clawwatch"
/usr/bin/plutil -lint "$payload/Library/LaunchDaemons/$identifier.plist"

# Every library must carry every architecture the executable has (no x86_64-only .so in an arm64 pkg).
python3 "$here/macho.py" check "$app" "$app/clawwatch"
archs=$(python3 "$here/macho.py" archs "$app/clawwatch")

if [ -n "${CLAWWATCH_CODESIGN_IDENTITY:-}" ]; then
    # Every Mach-O by its header, whatever its name (PyInstaller's `Python` library has no suffix), and
    # every .framework, nested code first; the executable last, with its stable identifier (the PPPC
    # profile's code requirement names it). Hardened runtime + secure timestamp: notarisation needs both.
    python3 "$here/macho.py" sign-order "$app" | while IFS= read -r path; do
        [ "$path" = "$app/clawwatch" ] && continue
        codesign --force --timestamp --options runtime --sign "$CLAWWATCH_CODESIGN_IDENTITY" "$path"
    done
    codesign --force --timestamp --options runtime --identifier "$identifier" \
        --sign "$CLAWWATCH_CODESIGN_IDENTITY" "$app/clawwatch"
    codesign --verify --strict --verbose=2 "$app/clawwatch"
    requirement=$(codesign -d -r - "$app/clawwatch" 2>&1 | sed -n 's/^designated => //p')
    python3 "$here/render_profile.py" --code-requirement "$requirement" \
        --out "$dist/clawwatch-$version.mobileconfig"
fi

pkgbuild --root "$payload" --scripts "$here/scripts" --identifier "$identifier" \
    --version "$version" --install-location / --ownership recommended "$work/clawwatch-component.pkg"
sed -e "s/@VERSION@/$version/g" -e "s/@ARCHS@/$archs/g" "$here/distribution.xml" > "$work/distribution.xml"
out="$dist/clawwatch-$version-$(printf '%s' "$archs" | tr ',' '+').pkg"
if [ -n "${CLAWWATCH_INSTALLER_IDENTITY:-}" ]; then
    productbuild --distribution "$work/distribution.xml" --package-path "$work" \
        --sign "$CLAWWATCH_INSTALLER_IDENTITY" "$out"
else
    productbuild --distribution "$work/distribution.xml" --package-path "$work" "$out"
fi
if [ -n "${CLAWWATCH_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$out" --keychain-profile "$CLAWWATCH_NOTARY_PROFILE" --wait
    xcrun stapler staple "$out"
fi
sh "$repo/packaging/mdm/build-mdm-scripts.sh" "$dist/mdm"  # Jamf extension attribute, Intune custom attribute
echo "$out"
