"""An OpenAI-compatible chat server on 127.0.0.1 (POST /v1/chat/completions, the real
request and reply shapes) for the LLM rewording tests. `reply` is what the model says (None: a
null content), `status` != 200 answers 500, `delay_s` answers late, `replies` (when set) are said in turn; every request body is kept
in `bodies`."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply: str | None = "好"
        self.replies: list[str] = []  # when set, said in turn instead of `reply`
        self.status = 200
        self.delay_s = 0.0
        self.bodies: list[dict] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeLLM

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append(body)
        time.sleep(self.server.delay_s)
        if self.path != "/v1/chat/completions" or self.server.status != 200:
            payload = b'{"error": "boom"}'
            self.send_response(500 if self.path == "/v1/chat/completions" else 404)
        else:
            said = self.server.replies[len(self.server.bodies) % len(self.server.replies)] if self.server.replies else self.server.reply
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": said}}]}).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except OSError:
            pass
