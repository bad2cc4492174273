"""A minimal OpenAI-compatible chat-completions server that makes an OpenClaw agent call `exec`.

Run as a script: ``python mockllm.py --port P --command-file F --log L``. On each POST, if the
request offers the ``exec`` tool and the conversation has no tool result yet, it answers with one
``exec`` tool call whose ``command`` is the current content of ``--command-file`` (re-read on every
request, so one server serves many agent turns); otherwise it answers "mock: done". Streaming (SSE)
and non-streaming replies are both supported. Binds 127.0.0.1 only. Each request is logged as one
JSON line (path, offered tool names, message count), never the message contents.
"""

from __future__ import annotations

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DEFAULT_COMMAND = "id; sleep 8; echo done"
MODEL_ID = "mock-1"


def _tool_names(body: dict[str, Any]) -> list[str]:
    return [str(t.get("function", {}).get("name")) for t in body.get("tools") or []]


def _reply(body: dict[str, Any], command: str) -> tuple[dict[str, Any], str]:
    """The assistant message for this request and its finish reason."""
    messages = body.get("messages", [])
    if "exec" in _tool_names(body) and not any(m.get("role") == "tool" for m in messages):
        call = {"id": "call_1", "type": "function",
                "function": {"name": "exec", "arguments": json.dumps({"command": command})}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    return {"role": "assistant", "content": "mock: done"}, "stop"


class MockHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    command_file: Path
    log_file: Path

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, code: int, ctype: str, payload: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        models = {"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]}
        self._send(200, "application/json", json.dumps(models).encode())

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw or b"{}")
        try:
            command = self.command_file.read_text().strip() or DEFAULT_COMMAND
        except OSError:
            command = DEFAULT_COMMAND
        with self.log_file.open("a") as log:
            entry = {"path": self.path, "tools": _tool_names(body), "n": len(body.get("messages", []))}
            log.write(json.dumps(entry) + "\n")
        message, finish = _reply(body, command)
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        if body.get("stream"):
            self._stream(message, finish, usage)
            return
        completion = {"id": "c", "object": "chat.completion", "model": MODEL_ID,
                      "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage}
        self._send(200, "application/json", json.dumps(completion).encode())

    def _stream(self, message: dict[str, Any], finish: str, usage: dict[str, int]) -> None:
        delta = dict(message)
        if "tool_calls" in delta:
            delta["tool_calls"] = [{"index": i, **c} for i, c in enumerate(delta["tool_calls"])]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        base = {"id": "c", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID}
        chunks = (
            {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
            {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage},
        )
        for chunk in chunks:
            self.wfile.write(("data: " + json.dumps(chunk) + "\n\n").encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--command-file", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    MockHandler.command_file = args.command_file
    MockHandler.log_file = args.log
    ThreadingHTTPServer(("127.0.0.1", args.port), MockHandler).serve_forever()


if __name__ == "__main__":
    main()
