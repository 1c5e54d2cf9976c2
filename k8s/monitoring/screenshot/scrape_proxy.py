#!/usr/bin/env python3
"""Asks the apps for Prometheus's classic text format on Prometheus's behalf (README.md beside it).

Prometheus 2.42 (Debian's package) asks for OpenMetrics first and then refuses the exemplars
Micrometer attaches to `*_count` series ("does not support exemplars"), dropping the whole
scrape. Newer Prometheus versions can be told to prefer the classic format (scrape_protocols);
this one cannot, so it scrapes through here: GET /<port>/<path> fetches
http://localhost:<port>/<path> with `Accept: text/plain;version=0.0.4`.

  scrape_proxy.py <listen port>
"""
import http.server
import sys
import urllib.request


class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        port, _, path = self.path.lstrip("/").partition("/")
        request = urllib.request.Request(f"http://localhost:{int(port)}/{path}",
                                         headers={"Accept": "text/plain;version=0.0.4"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
                self.send_response(response.status)
                self.send_header("Content-Type", response.headers.get("Content-Type", "text/plain"))
        except Exception as error:  # the app is down: Prometheus records the target as down
            body = str(error).encode()
            self.send_response(502)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:  # Prometheus gave up on a slow scrape (its timeout)
            pass

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy).serve_forever()
