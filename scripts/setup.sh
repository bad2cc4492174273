#!/usr/bin/env bash
# Creates .venv (clawwatch + dev tools) and .venv-sigmacli (sigma-cli with pySigma 1.x and the SIEM
# backends; sigma-cli 3.1 needs pySigma < 2 while the sensor pins pySigma 2.0.1). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# pip on these machines warns about a missing local index mirror on every package; hide only that noise.
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2); }
stamp() { sha256sum pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16; }
want=$(stamp)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.clawwatch-stamp 2>/dev/null)" != "$want" ]; then
  echo "[setup] creating .venv and installing clawwatch[dev]"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  quiet_pip .venv/bin/python -m pip install -q --upgrade pip
  quiet_pip .venv/bin/python -m pip install -q -e ".[dev]"
  # pySigma's own processing pipelines for `rules match --pipeline` (sysmon, windows-logsources,
  # windows-audit, ecs_windows). Their metadata says pySigma < 2, but they use only APIs pySigma 2.0.1
  # keeps (tests/unit/engine/test_engine_logsources.py and tests/integration/test_sigmahq_scale.py
  # run them on 2.0.1), so they are installed without their dependency pins.
  quiet_pip .venv/bin/python -m pip install -q --no-deps "pysigma-pipeline-sysmon==2.0.0" \
    "pysigma-pipeline-windows==2.0.1" "pysigma-backend-elasticsearch==2.1.1"
  echo "$want" > .venv/.clawwatch-stamp
fi
if [ ! -x .venv-sigmacli/bin/sigma ] || [ "$(cat .venv-sigmacli/.clawwatch-stamp 2>/dev/null)" != "$want" ]; then
  echo "[setup] creating .venv-sigmacli (sigma-cli + Splunk and Elasticsearch backends)"
  [ -x .venv-sigmacli/bin/python ] || "$PY" -m venv .venv-sigmacli
  quiet_pip .venv-sigmacli/bin/python -m pip install -q --upgrade pip
  quiet_pip .venv-sigmacli/bin/python -m pip install -q "sigma-cli==3.1.0" "pysigma-backend-splunk==2.1.0" \
    "pysigma-backend-elasticsearch==2.1.1"
  echo "$want" > .venv-sigmacli/.clawwatch-stamp
fi
echo "[setup] ok: $(.venv/bin/clawwatch --version)"
