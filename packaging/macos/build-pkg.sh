#!/bin/sh
# Builds dist/clawwatch-<version>.pkg on a Mac (pkgbuild + productbuild), optionally signed and notarised.
#   packaging/macos/build-pkg.sh
# Needs: the onedir bundle from packaging/binary/build.sh, built on macOS for the target arch
# (PyInstaller does not cross-compile). Optional environment:
#   CLAWWATCH_CODESIGN_IDENTITY   "Developer ID Application: ..."  signs every Mach-O in the bundle
#   CLAWWATCH_INSTALLER_IDENTITY  "Developer ID Installer: ..."    signs the product archive
#   CLAWWATCH_NOTARY_PROFILE      notarytool keychain profile      submits, waits, staples
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist="${CLAWWATCH_DIST:-$repo/dist}"

if [ "$(uname -s)" != Darwin ]; then
    echo "build-pkg.sh: pkgbuild/productbuild exist only on macOS" >&2
    exit 2
fi
bash "$repo/packaging/binary/build.sh"
bundle="$dist/clawwatch-dir"
version=$("$bundle/clawwatch" --version | awk '{print $2}')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
payload="$work/payload"
mkdir -p "$payload/usr/local/clawwatch" "$payload/usr/local/bin" "$payload/Library/LaunchDaemons"
cp -R "$bundle/." "$payload/usr/local/clawwatch/"
install -m 0755 "$here/clawwatch-launch" "$payload/usr/local/clawwatch/clawwatch-launch"
install -m 0644 "$repo/packaging/linux/sensor.toml" "$payload/usr/local/clawwatch/sensor.toml.default"
install -m 0644 "$here/com.clawwatch.sensor.plist" "$payload/Library/LaunchDaemons/com.clawwatch.sensor.plist"
/usr/bin/plutil -lint "$payload/Library/LaunchDaemons/com.clawwatch.sensor.plist"

if [ -n "${CLAWWATCH_CODESIGN_IDENTITY:-}" ]; then
    # Hardened runtime + timestamp are required for notarisation; sign libraries first, the executable last.
    find "$payload/usr/local/clawwatch" -type f \( -name '*.so' -o -name '*.dylib' \) -print0 \
        | xargs -0 codesign --force --timestamp --options runtime --sign "$CLAWWATCH_CODESIGN_IDENTITY"
    codesign --force --timestamp --options runtime --sign "$CLAWWATCH_CODESIGN_IDENTITY" \
        "$payload/usr/local/clawwatch/clawwatch"
fi

pkgbuild --root "$payload" --scripts "$here/scripts" --identifier com.clawwatch.sensor \
    --version "$version" --install-location / --ownership recommended "$work/clawwatch-component.pkg"
sed "s/@VERSION@/$version/g" "$here/distribution.xml" > "$work/distribution.xml"
out="$dist/clawwatch-$version.pkg"
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
echo "$out"
