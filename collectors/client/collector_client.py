"""The query side of the collector API for the CLI (``clawwatch fleet`` / ``clawwatch alerts``).

The collector URL comes from ``--collector`` or ``CLAWWATCH_COLLECTOR``; the analyst/admin token from
``--token``, ``--token-file`` or ``CLAWWATCH_TOKEN``; a corporate CA bundle from ``--ca-bundle`` or
``CLAWWATCH_CA_BUNDLE``. Errors come back as ``CollectorError`` with a message saying what to do.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import requests


class CollectorError(Exception):
    pass


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("collector")
    group.add_argument("--collector", default=os.environ.get("CLAWWATCH_COLLECTOR"),
                       help="collector URL, e.g. https://collector:8765 (env CLAWWATCH_COLLECTOR)")
    group.add_argument("--token", default=None, help="analyst or admin token (env CLAWWATCH_TOKEN)")
    group.add_argument("--token-file", type=Path, default=None, help="read the token from this file")
    group.add_argument("--ca-bundle", default=os.environ.get("CLAWWATCH_CA_BUNDLE"),
                       help="CA bundle to verify the collector's TLS certificate (env CLAWWATCH_CA_BUNDLE)")
    group.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")


class CollectorClient:
    def __init__(self, url: str, token: str, *, ca_bundle: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = "clawwatch-cli"
        if ca_bundle:
            self.session.verify = ca_bundle

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CollectorClient:
        if not args.collector:
            raise CollectorError("no collector URL: pass --collector URL or set CLAWWATCH_COLLECTOR")
        token = args.token
        if token is None and args.token_file is not None:
            try:
                token = args.token_file.read_text().strip()
            except OSError as exc:
                raise CollectorError(f"cannot read --token-file: {exc.strerror}") from None
        token = token or os.environ.get("CLAWWATCH_TOKEN")
        if not token:
            raise CollectorError("no token: pass --token, --token-file or set CLAWWATCH_TOKEN "
                                 "(an analyst token from `POST /api/v1/admin/tokens`)")
        return cls(args.collector, token, ca_bundle=args.ca_bundle, timeout=args.timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise CollectorError(f"TLS verification of {self.url} failed; pass --ca-bundle ({exc})") from None
        except requests.RequestException as exc:
            reason = exc.__class__.__name__
            raise CollectorError(f"cannot reach the collector at {self.url}: {reason}") from None
        if response.status_code >= 400:
            raise CollectorError(_describe(response))
        return response

    def get_json(self, path: str, params: Any = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, json=body).json()

    def get_text(self, path: str, params: Any = None) -> str:
        return self.request("GET", path, params=params).text


def _describe(response: requests.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    message = detail.get("message") if isinstance(detail, dict) else None
    hint = {
        401: "the token is missing, unknown or revoked",
        403: "the token's role may not do this (fleet and alert views need an analyst or admin token)",
        404: "not found",
    }.get(response.status_code, "")
    return f"collector answered HTTP {response.status_code}: {message or hint or response.reason}"
