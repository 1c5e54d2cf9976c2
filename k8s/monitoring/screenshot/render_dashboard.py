#!/usr/bin/env python3
"""Renders k8s/monitoring/mesh-dashboard.json from a Prometheus, without Grafana (README.md beside it).

For every panel of the dashboard, in its grid position, each target's own PromQL expression is
asked of Prometheus's HTTP API (/api/v1/query_range) over the last --minutes, and the answer is
drawn as an SVG line chart with the panel's title, unit and legend format. Grafana's
$__rate_interval is replaced by --rate-interval (Grafana would use at least 4 scrape intervals).
The page is self-contained HTML; with --png, headless Chromium screenshots it.

Standard library only:
  render_dashboard.py --prometheus http://localhost:9090 --minutes 15 \
      --html /tmp/dashboard.html --png docs/screenshots/dashboard.png
"""
import argparse
import html
import json
import math
import pathlib
import re
import subprocess
import time
import urllib.parse
import urllib.request

COLORS = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
          "#508642", "#cca300", "#447ebc", "#c15c17", "#890f02", "#0a437c", "#6d1f62", "#584477"]
COL_PX = 64      # one of Grafana's 24 grid columns
ROW_PX = 30      # one grid row unit


def query_range(prometheus, expr, start, end, step):
    url = prometheus.rstrip("/") + "/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{expr}: {body}")
    return body["data"]["result"]


def legend(fmt, metric):
    if fmt:
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt)
    labels = {k: v for k, v in metric.items() if k != "__name__"}
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "value"


def fmt_value(value, unit):
    if value is None or math.isnan(value):
        return "–"
    if unit == "percentunit":
        return f"{value * 100:.1f} %"
    if unit == "s":
        if value == 0:
            return "0 s"
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    suffix = {"reqps": " req/s", "ops": " /s"}.get(unit, "")
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k{suffix}"
    if value == int(value):
        return f"{int(value)}{suffix}"
    return f"{value:.2f}{suffix}"


def chart(panel, series, start, end, width, height):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    pad_l, pad_r, pad_t, pad_b = 66, 8, 6, 18
    w, h = width - 16, height - 70
    values = [v for s in series for _, v in s["points"] if v is not None and not math.isnan(v)]
    top = max(values) if values else 1.0
    top = top * 1.1 if top > 0 else 1.0
    x = lambda t: pad_l + (t - start) * (w - pad_l - pad_r) / (end - start)
    y = lambda v: pad_t + (1 - v / top) * (h - pad_t - pad_b)
    parts = [f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}">']
    for i in range(5):
        v = top * i / 4
        parts.append(f'<line x1="{pad_l}" x2="{w - pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>')
        parts.append(f'<text x="{pad_l - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{html.escape(fmt_value(v, unit))}</text>')
    for i in range(0, 4):
        t = start + (end - start) * i / 3
        label = time.strftime("%H:%M", time.localtime(t))
        anchor = "start" if i == 0 else "end" if i == 3 else "middle"
        parts.append(f'<text x="{x(t):.1f}" y="{h - 3}" text-anchor="{anchor}">{label}</text>')
    for n, s in enumerate(series):
        d, pen = [], "M"
        for t, v in s["points"]:
            if v is None or math.isnan(v):
                pen = "M"
                continue
            d.append(f"{pen}{x(t):.1f},{y(v):.1f}")
            pen = "L"
        if d:
            parts.append(f'<path d="{"".join(d)}" stroke="{COLORS[n % len(COLORS)]}" fill="none" stroke-width="1.6"/>')
    parts.append("</svg>")
    items = []
    for n, s in enumerate(series[:8]):
        last = next((v for _, v in reversed(s["points"]) if v is not None and not math.isnan(v)), None)
        items.append(f'<li><i style="background:{COLORS[n % len(COLORS)]}"></i>{html.escape(s["name"])} '
                     f'<b>{html.escape(fmt_value(last, unit))}</b></li>')
    more = f'<li class="more">+{len(series) - 8} more</li>' if len(series) > 8 else ""
    empty = '<div class="empty">No data</div>' if not series else ""
    return "".join(parts) + empty + f'<ul class="legend">{"".join(items)}{more}</ul>'


def render(args):
    dashboard = json.loads(pathlib.Path(args.dashboard).read_text())
    end = time.time()
    start = end - args.minutes * 60
    step = max(5, int(args.minutes * 60 / 240))
    blocks = []
    for panel in dashboard["panels"]:
        pos = panel["gridPos"]
        style = (f'left:{pos["x"] * COL_PX}px;top:{pos["y"] * ROW_PX}px;'
                 f'width:{pos["w"] * COL_PX - 8}px;height:{pos["h"] * ROW_PX - 8}px')
        if panel.get("type") == "row":
            blocks.append(f'<div class="row" style="{style}">{html.escape(panel["title"])}</div>')
            continue
        series = []
        for target in panel.get("targets", []):
            expr = target["expr"].replace("$__rate_interval", args.rate_interval)
            for result in query_range(args.prometheus, expr, start, end, step):
                series.append({"name": legend(target.get("legendFormat"), result["metric"]),
                               "points": [(float(t), float(v)) for t, v in result["values"]]})
        series.sort(key=lambda s: s["name"])
        blocks.append(f'<div class="panel" style="{style}"><h2>{html.escape(panel["title"])}</h2>'
                      f'{chart(panel, series, start, end, pos["w"] * COL_PX - 8, pos["h"] * ROW_PX - 8)}</div>')
    height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"]) * ROW_PX + 60
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(dashboard["title"])}</title>
<style>
body {{ margin:0; background:#111217; color:#ccccdc; font:12px/1.3 Inter, system-ui, sans-serif; }}
header {{ padding:10px 14px; font-size:16px; display:flex; justify-content:space-between; }}
header small {{ color:#8e8e8e; font-size:11px; }}
main {{ position:relative; margin:0 8px; height:{height}px; }}
.row {{ position:absolute; font-size:14px; font-weight:600; padding-top:6px; }}
.panel {{ position:absolute; background:#181b1f; border:1px solid #2a2d33; border-radius:3px; padding:4px 8px; overflow:hidden; }}
.panel h2 {{ font-size:12px; font-weight:600; margin:2px 0 4px; }}
svg text {{ fill:#8e8e8e; font-size:10px; }} svg .grid {{ stroke:#2a2d33; }}
.legend {{ list-style:none; margin:2px 0 0; padding:0; display:flex; flex-wrap:wrap; gap:1px 10px; font-size:11px; }}
.legend i {{ display:inline-block; width:12px; height:3px; margin-right:4px; vertical-align:middle; }}
.legend .more, .empty {{ color:#8e8e8e; }}
</style></head><body>
<header><span>{html.escape(dashboard["title"])}</span><small>k8s/monitoring/mesh-dashboard.json, each panel's own queries
against Prometheus ({html.escape(args.prometheus)}), last {args.minutes} min, $__rate_interval = {html.escape(args.rate_interval)};
rendered by k8s/monitoring/screenshot/render_dashboard.py at {time.strftime("%Y-%m-%d %H:%M %Z")}</small></header>
<main>{"".join(blocks)}</main></body></html>"""
    pathlib.Path(args.html).write_text(page)
    if args.png:
        subprocess.run([args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={24 * COL_PX + 16},{height + 50}", f"--screenshot={pathlib.Path(args.png).resolve()}",
                        pathlib.Path(args.html).resolve().as_uri()], check=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", default="http://localhost:9090")
    parser.add_argument("--dashboard", default=str(pathlib.Path(__file__).resolve().parent.parent / "mesh-dashboard.json"))
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--rate-interval", default="1m")
    parser.add_argument("--html", default="dashboard.html")
    parser.add_argument("--png")
    parser.add_argument("--chromium", default="chromium")
    render(parser.parse_args())
