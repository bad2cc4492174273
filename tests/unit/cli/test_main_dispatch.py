"""The dispatcher loads only the chosen command (the sensor must not carry the collector's web stack)."""

import subprocess
import sys

from sensor.cli import main


def _modules_after_parsing(words: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from sensor.cli.main import build_parser\n"
        f"build_parser({words!r})\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


def test_sensor_run_does_not_import_the_collector_stack() -> None:
    loaded = _modules_after_parsing(["sensor", "run"])
    assert not loaded & {"fastapi", "sqlalchemy", "uvicorn", "collectors"}


def test_collector_command_loads_its_module() -> None:
    assert "collectors" in _modules_after_parsing(["collector", "serve", "--help"])


def test_every_command_is_listed_and_unknown_is_usage_error(capsys: object) -> None:
    parser = main.build_parser(["scan"])
    help_text = parser.format_help()
    for name in main.COMMANDS:
        assert name in help_text
    assert main.main([]) == 2
    try:
        main.main(["no-such-command"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("unknown command accepted")
