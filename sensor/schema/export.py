"""Writes the JSON Schema of every public model to schema/json/ (``clawwatch schema export``)."""

from __future__ import annotations

from pathlib import Path

import orjson
from pydantic import BaseModel

from sensor.schema.alerts import Alert
from sensor.schema.events import Event
from sensor.schema.inventory import ScanReport
from sensor.schema.records import Record

MODELS: dict[str, type[BaseModel]] = {
    "event": Event,
    "alert": Alert,
    "scan-report": ScanReport,
    "record": Record,
}

DEFAULT_DIR = Path(__file__).resolve().parent / "json"


def render(model: type[BaseModel]) -> bytes:
    return orjson.dumps(model.model_json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def export(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = directory / f"{name}.schema.json"
        path.write_bytes(render(model))
        written.append(path)
    return written
