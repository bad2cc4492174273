"""The committed JSON Schema files are exactly what the pydantic models produce."""

from sensor.schema import export


def test_committed_json_schema_is_current() -> None:
    for name, model in export.MODELS.items():
        committed = (export.DEFAULT_DIR / f"{name}.schema.json").read_bytes()
        assert committed == export.render(model), f"run: clawwatch schema export  ({name} is stale)"
