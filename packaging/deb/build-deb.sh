#!/usr/bin/env bash
# Builds dist/clawwatch_<version>_<arch>.deb with plain dpkg-deb from the PyInstaller onedir bundle
# (packaging/binary/build.sh, rebuilt only when sources changed). No root needed (--root-owner-group).
# Usage: packaging/deb/build-deb.sh [OUTPUT_DIR]     prints the path of the .deb on its last line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/packaging/deb
linux=$repo/packaging/linux
dist=${CLAWWATCH_DIST:-$repo/dist}
out=${1:-$dist}

bash "$repo/packaging/binary/build.sh" >&2
bundle=$dist/clawwatch-dir
version=$("$bundle/clawwatch" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
umask 022

install -d "$root/usr/lib/clawwatch" "$root/usr/bin" "$root/DEBIAN"
cp -a "$bundle/." "$root/usr/lib/clawwatch/"
ln -s ../lib/clawwatch/clawwatch "$root/usr/bin/clawwatch"
install -D -m 0644 "$linux/clawwatch-sensor.service" "$root/lib/systemd/system/clawwatch-sensor.service"
install -D -m 0644 "$linux/sensor.toml" "$root/etc/clawwatch/sensor.toml"
install -D -m 0644 "$linux/enroll.env" "$root/usr/share/clawwatch/enroll.env.example"
install -D -m 0644 "$here/copyright" "$root/usr/share/doc/clawwatch/copyright"
install -D -m 0644 "$here/README.Debian" "$root/usr/share/doc/clawwatch/README.Debian"
sed "s/@VERSION@/$version/" "$here/changelog.in" | gzip -9n > "$root/usr/share/doc/clawwatch/changelog.gz"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/clawwatch"

# Normalise modes: directories 0755, executables 0755, everything else 0644 (bundle files come from a
# umask-dependent build tree).
find "$root" -type d -exec chmod 0755 {} +
find "$root/usr/lib/clawwatch" -type f -exec chmod 0644 {} +
install -m 0755 "$linux/clawwatch-launch" "$root/usr/lib/clawwatch/clawwatch-launch"
chmod 0755 "$root/usr/lib/clawwatch/clawwatch"
find "$root/usr/lib/clawwatch" -type f -name '*.so*' -exec chmod 0644 {} +

# Bundled shared objects: drop debug symbols and the build interpreter's RUNPATH (e.g. a pyenv prefix
# that does not exist on hosts; PyInstaller's loader finds everything inside _internal).
find "$root/usr/lib/clawwatch/_internal" -type f -name '*.so*' -print0 | xargs -0 strip --strip-unneeded
if command -v patchelf >/dev/null 2>&1; then
  find "$root/usr/lib/clawwatch/_internal" -type f -name '*.so*' -print0 | xargs -0 -n 50 patchelf --remove-rpath
else
  echo "[deb] patchelf missing (bash scripts/install-packaging-tools.sh): RUNPATH left in bundled libraries" >&2
fi

# The bundle needs the glibc it was built against (PyInstaller bundles everything else): depend on the
# newest GLIBC_x.y symbol version any bundled ELF file uses. Build on the oldest distribution you support.
glibc=$(find "$root/usr/lib/clawwatch" -type f \( -name '*.so*' -o -name clawwatch \) -print0 \
        | xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -V | tail -n 1)
if [ -z "$glibc" ]; then
  echo "[deb] could not read the bundle's glibc symbol versions (objdump from binutils missing?)" >&2
  exit 1
fi

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@GLIBC@/$glibc/" "$here/control.in" > "$root/DEBIAN/control"
echo /etc/clawwatch/sensor.toml > "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
   | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/clawwatch_${version}_${arch}.deb
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)} \
  dpkg-deb --root-owner-group -Zxz -z6 --build "$root" "$deb" >&2
echo "[deb] built $deb ($(du -h "$deb" | cut -f1))" >&2
echo "$deb"
