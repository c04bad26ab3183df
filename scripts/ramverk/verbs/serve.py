"""`serve`: the site with live reload, both languages, one `mkdocs serve` process per language.

Each language is served by MkDocs' own development server (mkdocs.commands.serve, public API) on a
port of its own, with the overrides `build` uses (verbs/build.py), so a save rebuilds both languages
at the same time, each in its own process. By default the rebuild is MkDocs' `--dirty` one: only
pages whose Markdown changed are rendered again (a page that includes a changed snippet, results or
outputs file keeps its old text until it is saved too; --clean rebuilds everything on every change).
One address serves both: /en/… goes to the English server, the rest to the Swedish one, and the
live-reload poll to the server of the page that asks (its Referer).
"""

from __future__ import annotations

import http.client
import http.server
import multiprocessing
import signal
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ramverk.verbs import build


def setup(parser) -> None:
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="FILE",
                        help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="the address to serve on (host:port)")
    parser.add_argument("--clean", action="store_true", help="rebuild every page on every change (MkDocs' default)")
    parser.set_defaults(run=run)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _serve_language(config_file: str, locale: str, host: str, port: int, clean: bool) -> None:
    import logging

    from mkdocs.commands.serve import serve

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{locale}: %(levelname)-7s - %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    raw = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    overrides = build.language_overrides(raw, locale, "")
    del overrides["site_dir"]  # serve builds into a temporary folder of its own
    # Not strict: MkDocs warns on every dirty build, and a warning would stop the server. Warnings
    # are printed; what the site must not publish still fails the build (hooks/publish_safety.py).
    overrides["strict"] = False
    overrides["site_url"] = f"http://{host}:{port}{urlsplit(overrides['site_url']).path}"
    serve(config_file, livereload=True, build_type=None if clean else "dirty", dev_addr=f"{host}:{port}", **overrides)


def run(args) -> int:
    config_file = str(Path(args.config_file).resolve())
    raw = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    host, port = args.dev_addr.rsplit(":", 1)
    langs = [lang["locale"] for lang in build.languages(raw)]
    ports = {locale: _free_port(host) for locale in langs}
    context = multiprocessing.get_context("spawn")
    servers = [context.Process(target=_serve_language, args=(config_file, locale, host, ports[locale], args.clean),
                               daemon=True) for locale in langs]
    for server in servers:
        server.start()
    default = langs[0]

    def upstream(path: str, referer: str) -> int:
        for locale in langs[1:]:
            if path.startswith(f"/{locale}/") or path == f"/{locale}" or (
                    path.startswith("/livereload/") and urlsplit(referer).path.startswith(f"/{locale}/")):
                return ports[locale]
        return ports[default]

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            try:
                port = upstream(self.path, self.headers.get("Referer", ""))
                conn = http.client.HTTPConnection(host, port, timeout=120)  # live reload answers within 60 s
                conn.request(self.command, self.path, headers={k: v for k, v in self.headers.items()
                                                               if k.lower() not in ("connection", "keep-alive")})
                reply = conn.getresponse()
                body = reply.read()
            except OSError as error:  # the language's server is still building its first site
                self.send_error(503, f"not served yet: {error}")
                return
            self.send_response(reply.status)
            for key, value in reply.getheaders():
                if key.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    proxy = http.server.ThreadingHTTPServer((host, int(port)), Proxy)
    print(f"serve: http://{host}:{port}/ ({', '.join(f'{lang} on port {ports[lang]}' for lang in langs)})",
          file=sys.stderr)
    def watch_servers():
        for server in servers:
            server.join()
        proxy.shutdown()  # a language's server ended (its first build failed): so does this one

    threading.Thread(target=watch_servers, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a `kill` stops the language servers too (finally:)
    try:
        proxy.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.server_close()
        for server in servers:
            server.terminate()
    return 0 if all(server.exitcode in (0, None) for server in servers) else 1
