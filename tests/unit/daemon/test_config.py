"""Sensor config: documented defaults, TOML errors and unknown keys reported with the file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensor.daemon.config import ConfigError, SensorConfig, load_config


def test_defaults_without_file() -> None:
    config = load_config(None)
    assert config == SensorConfig()
    assert config.processes.poll_interval_s == 1.0
    assert config.caps.files == 200.0
    assert config.files.backend == "auto"


def test_docstring_example_is_the_defaults(tmp_path: Path) -> None:
    import sensor.daemon.config as module

    doc = module.__doc__ or ""
    example = doc.split("::", 1)[1].split('"""')[0]
    toml = "\n".join(line[4:] for line in example.splitlines())
    path = tmp_path / "c.toml"
    path.write_text(toml)
    assert load_config(path) == SensorConfig()


def test_partial_file_overrides(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[caps]\nprocesses = 5\n[files]\nbackend = "inotify"\n')
    config = load_config(path)
    assert config.caps.processes == 5.0 and config.files.backend == "inotify"
    assert config.caps.sockets == 100.0


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[caps\n", "not valid TOML"),
        ("[caps]\nprocesses = -1\n", "invalid config"),
        ("[nope]\nx = 1\n", "invalid config"),
        ('[files]\nbackend = "dtrace"\n', "invalid config"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and needle in str(err.value)
