"""A real nginx with the RTMP module on 127.0.0.1, with a config the project
owns, for tests and benchmarks (Debian: nginx libnginx-mod-rtmp
libnginx-mod-stream). RTMPS is nginx's stream module terminating TLS with a
throwaway self-signed certificate in front of the RTMP port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

MODULES = Path("/usr/lib/nginx/modules")

CONFIG = """\
load_module {modules}/ngx_rtmp_module.so;
load_module {modules}/ngx_stream_module.so;
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 128; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp_port};
        chunk_size 4096;
        application live {{
            live on;
            record off;
            allow publish 127.0.0.1;
            deny publish all;
            allow play 127.0.0.1;
            {on_publish}
        }}
    }}
}}
stream {{
    server {{
        listen 127.0.0.1:{rtmps_port} ssl;
        ssl_certificate {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        proxy_pass 127.0.0.1:{rtmp_port};
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available() -> str | None:
    """None when nginx with the RTMP module can run here, else why not."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (apt-get install nginx libnginx-mod-rtmp libnginx-mod-stream)"
    if not (MODULES / "ngx_rtmp_module.so").exists():
        return "the nginx RTMP module is not installed (apt-get install libnginx-mod-rtmp)"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    return None


class NginxRtmp:
    def __init__(self, workdir: Path, on_publish_url: str | None = None) -> None:
        self.dir = Path(workdir)
        self.rtmp_port = free_port()
        self.rtmps_port = free_port()
        self.on_publish_url = on_publish_url
        self._proc: subprocess.Popen | None = None

    def rtmp_url(self, key: str) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/live/{key}"

    def rtmps_url(self, key: str) -> str:
        return f"rtmps://127.0.0.1:{self.rtmps_port}/live/{key}"

    def start(self, timeout_s: float = 10.0) -> "NginxRtmp":
        self.dir.mkdir(parents=True, exist_ok=True)
        if not (self.dir / "cert.pem").exists():
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                 "-keyout", str(self.dir / "key.pem"), "-out", str(self.dir / "cert.pem")],
                check=True, capture_output=True,
            )
        on_publish = f"on_publish {self.on_publish_url};" if self.on_publish_url else ""
        conf = self.dir / "nginx.conf"
        conf.write_text(CONFIG.format(modules=MODULES, dir=self.dir, rtmp_port=self.rtmp_port, rtmps_port=self.rtmps_port, on_publish=on_publish))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._proc = subprocess.Popen([nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self._proc.stderr.read().decode(errors='replace')[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.rtmp_port), timeout=0.2), socket.create_connection(("127.0.0.1", self.rtmps_port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> "NginxRtmp":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
