#!/usr/bin/env bash
# Builds clawwatch.msi on Linux with msitools (wixl, wixl-heat, msibuild), optionally Authenticode-signed
# with osslsigncode.
#   build-msi.sh ONEDIR OUT.msi [VERSION]
#     ONEDIR   the PyInstaller onedir bundle built on Windows: clawwatch.exe, clawwatch-service.exe, _internal/
#   env SIGN_CERT / SIGN_KEY (PEM) [SIGN_PASS]: sign the MSI (SHA-256; SIGN_TIMESTAMP_URL adds an RFC 3161
#     timestamp: use your CA's, the build machine must reach it)
# Steps: wixl-heat lists the onedir into a component group; wixl compiles clawwatch.wxs; msibuild adds
# msi-tables/*.idt and the rows wixl cannot express (deferred enrollment actions, MsiConfigureServices,
# MsiHiddenProperties). See docs/windows.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onedir=$(cd "$1" && pwd)
out=$2
version=${3:-0.1.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Every onedir file but clawwatch-service.exe (the service component's key file) as one component group.
(cd "$onedir" && find . -type f ! -path ./clawwatch-service.exe | sed 's|^\./||' | LC_ALL=C sort) \
  | sed "s|^|onedir/|" \
  | wixl-heat --prefix "onedir/" --var var.Onedir --directory-ref INSTALLFOLDER --component-group OnedirFiles \
      --win64 > "$work/onedir.wxs"
cp "$here/clawwatch.wxs" "$here/install.ps1" "$here/uninstall.ps1" "$work/"
ln -s "$onedir" "$work/onedir"  # wixl resolves sources relative to its working directory only
cp "$here/../linux/sensor.toml" "$work/sensor.toml"
(cd "$work" && wixl -a x64 -D Version="$version" -D Onedir=onedir -D SensorToml=sensor.toml \
  -D Win64=yes -o "$work/base.msi" clawwatch.wxs onedir.wxs 2> >(grep -v -e GLib-GObject-WARNING -e '^$' >&2))

# 2. What wixl cannot express, added as IDT tables.
ps='"[System64Folder]WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File'
(cd "$work" && msiinfo export base.msi CustomAction > CustomAction.idt \
  && msiinfo export base.msi InstallExecuteSequence > InstallExecuteSequence.idt \
  && msiinfo export base.msi Property > Property.idt)
# 3106 = exe in a directory (34) + deferred (1024) + no impersonation (2048); 3170 also continues on error (64)
printf 'Enroll\t3106\tINSTALLFOLDER\t%s "[INSTALLFOLDER]install.ps1" -Collector "[COLLECTOR]" -EnrollSecret "[ENROLLSECRET]" -CaBundle "[CABUNDLE]"\t\n' \
  "$ps" >> "$work/CustomAction.idt"
printf 'Unenroll\t3170\tINSTALLFOLDER\t%s "[INSTALLFOLDER]uninstall.ps1" -Purge "[PURGE]"\t\n' "$ps" >> "$work/CustomAction.idt"
# Enroll after InstallFiles (4000), before InstallServices (5800) / StartServices (5900): the service starts
# with enroll.env written. Unenroll before RemoveFiles (3500), only on a real uninstall (not an upgrade).
printf 'Enroll\tNOT REMOVE\t5700\nUnenroll\tREMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE\t3400\nMsiConfigureServices\tVersionNT >= 600\t5850\n' \
  >> "$work/InstallExecuteSequence.idt"
printf 'MsiHiddenProperties\tENROLLSECRET\n' >> "$work/Property.idt"
cp "$here"/msi-tables/*.idt "$work/"
cp "$work/base.msi" "$out"
(cd "$work" && msibuild "$out" -i CustomAction.idt InstallExecuteSequence.idt Property.idt \
  MsiLockPermissionsEx.idt MsiServiceConfigFailureActions.idt)

# 3. Authenticode.
if [ -n "${SIGN_CERT:-}" ]; then
  args=(sign -certs "$SIGN_CERT" -key "$SIGN_KEY" -h sha256 -n "clawwatch sensor" -in "$out" -out "$work/signed.msi")
  [ -n "${SIGN_PASS:-}" ] && args+=(-pass "$SIGN_PASS")
  [ -n "${SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$SIGN_TIMESTAMP_URL")
  osslsigncode "${args[@]}" >/dev/null
  mv "$work/signed.msi" "$out"
fi
echo "[msi] $out ($(du -h "$out" | cut -f1))"
