"""The root-only enroll-secret file and macOS managed preferences: what is taken, what is refused."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

import pytest

from sensor.host_settings.managed_preferences import read_managed_preferences
from sensor.host_settings.secret_file import SecretFileError, read_secret_file

PROFILE = Path(__file__).resolve().parents[3] / "packaging" / "macos" / "clawwatch.mobileconfig"
SECRET = "FAKE-enroll-secret-0123456789abcdef"


def secret_file(tmp_path: Path, mode: int = 0o600, body: str = SECRET + "\n") -> Path:
    path = tmp_path / "enroll-secret"
    path.write_text(body)
    path.chmod(mode)
    return path


def test_a_private_secret_file_is_read(tmp_path: Path) -> None:
    assert read_secret_file(secret_file(tmp_path), expected_uid=os.geteuid()) == SECRET


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_secret_others_can_read_or_change_is_refused(tmp_path: Path, mode: int) -> None:
    with pytest.raises(SecretFileError, match="other users") as caught:
        read_secret_file(secret_file(tmp_path, mode))
    assert SECRET not in str(caught.value)


def test_symlinks_fifos_empty_and_multiline_files_are_refused(tmp_path: Path) -> None:
    target = secret_file(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    (tmp_path / "e").mkdir()
    empty = secret_file(tmp_path / "e", body="\n")
    two = tmp_path / "two"
    two.write_text("a\nb\n")
    two.chmod(0o600)
    for path in (link, fifo, empty, two, tmp_path / "absent"):
        with pytest.raises(SecretFileError):
            read_secret_file(path)


def test_a_secret_not_owned_by_root_is_refused_when_running_as_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the file to another user")
    path = secret_file(tmp_path)
    os.chown(path, 65534, 65534)
    with pytest.raises(SecretFileError, match="owned by uid 65534"):
        read_secret_file(path)


def managed(tmp_path: Path, prefs: dict[str, object]) -> Path:
    path = tmp_path / "com.clawwatch.sensor.plist"
    path.write_bytes(plistlib.dumps(prefs, fmt=plistlib.FMT_BINARY))
    return path


def test_the_profiles_payload_keys_are_what_the_sensor_reads(tmp_path: Path) -> None:
    profile = plistlib.loads(PROFILE.read_bytes())
    [payload] = [p for p in profile["PayloadContent"] if p["PayloadType"] == "com.clawwatch.sensor"]
    settings = read_managed_preferences(managed(tmp_path, {**payload,
                                                           "CollectorURL": "https://cw.example:8443"}))
    assert settings.collector_url == "https://cw.example:8443"
    assert settings.ca_bundle == "/Library/Application Support/clawwatch/ca.pem"
    assert settings.warnings == []


def test_a_secret_in_managed_preferences_is_ignored_with_a_warning(tmp_path: Path) -> None:
    settings = read_managed_preferences(managed(tmp_path, {"CollectorURL": "https://cw.example",
                                                           "EnrollSecret": SECRET}))
    assert settings.collector_url == "https://cw.example"
    assert len(settings.warnings) == 1 and "EnrollSecret ignored" in settings.warnings[0]
    assert SECRET not in repr(settings)


@pytest.mark.parametrize("prefs", [{"CollectorURL": "http://cw.example"}, {"CollectorURL": 7},
                                   {"CABundle": "relative/ca.pem"}])
def test_bad_values_are_warned_about_not_used(tmp_path: Path, prefs: dict[str, object]) -> None:
    settings = read_managed_preferences(managed(tmp_path, prefs))
    assert settings.collector_url is None and settings.ca_bundle is None
    assert settings.warnings or prefs == {"CollectorURL": 7}


def test_missing_and_garbage_files(tmp_path: Path) -> None:
    assert read_managed_preferences(tmp_path / "absent.plist").warnings == []
    garbage = tmp_path / "g.plist"
    garbage.write_bytes(b"bplist00\xff\xff")
    assert read_managed_preferences(garbage).warnings
