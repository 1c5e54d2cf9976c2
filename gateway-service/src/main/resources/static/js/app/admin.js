// The admin view (admins only): live figures of the whole mesh from GET /api/admin/stats/stream
// (Server-Sent Events, read with fetch because the request must carry the bearer token), drawn as
// small SVG line charts with the current numbers beside them, and the force-disconnect form.
import { $, h, clear, time, toast } from './dom.js';

const HISTORY = 90; // samples kept per chart (3 min at the default 2 s)
const RETRY_MS = 3000;
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#2858b8', '#1e9e4a', '#c62828', '#d99a00', '#7b3fb8', '#00838f', '#6d4c41', '#ad1457'];

/** The view's entry in main.js's list: shown only to users with the admin role. */
export const adminView = {
  id: 'admin',
  label: 'Admin',
  visible: (me) => (me.roles || []).includes('admin'),
  mount: (context, host) => new AdminView(context, host).start(),
};

class AdminView {
  constructor({ api, session }, host) {
    this.api = api;
    this.session = session;
    this.host = host;
    this.samples = [];
    host.classList.add('admin');
    if (!document.querySelector('link[href="/css/admin.css"]')) {
      document.head.append(h('link', { rel: 'stylesheet', href: '/css/admin.css' }));
    }
  }

  start() {
    const form = h('form.admin-disconnect', { id: 'admin-disconnect', onsubmit: (e) => this.disconnect(e) },
      h('label', { for: 'admin-disconnect-user' }, 'Force-disconnect a user (every socket, every gateway, close 4003)'),
      h('div.row', {},
        h('input', { id: 'admin-disconnect-user', name: 'user', required: true, placeholder: 'user id', autocomplete: 'off' }),
        h('button.primary', { type: 'submit' }, 'Disconnect')));
    this.status = h('p.muted', { id: 'admin-status' }, 'Connecting to the stats stream…');
    this.tiles = h('div.admin-tiles', { id: 'admin-tiles' });
    this.instances = h('table.admin-instances', { id: 'admin-instances' });
    this.charts = h('div.admin-charts', { id: 'admin-charts' });
    clear(this.host, h('h2', {}, 'Mesh'), this.status, this.tiles, this.charts,
      h('h3', {}, 'Gateway instances'), this.instances, form);
    this.stream();
    return this;
  }

  async disconnect(event) {
    event.preventDefault();
    const input = $('#admin-disconnect-user', this.host);
    const user = input.value.trim();
    if (!user) return;
    try {
      await this.api(`/api/admin/users/${encodeURIComponent(user)}/disconnect`, { method: 'POST' });
      toast(`${user}: every socket closed (4003)`);
      input.value = '';
    } catch (e) {
      toast(`Could not disconnect ${user}: ${e.message}`, 'error');
    }
  }

  /** Reads the SSE stream for as long as the page lives; reconnects after a pause when it ends. */
  async stream() {
    for (;;) {
      try {
        const token = await this.session.getToken();
        const res = await fetch('/api/admin/stats/stream', {
          headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        });
        if (!res.ok) throw new Error(`the stats stream answered ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
            if (data) this.show(JSON.parse(data));
          }
        }
        this.status.textContent = 'The stats stream ended; reconnecting…';
      } catch (e) {
        this.status.textContent = `Stats unavailable (${e.message}); retrying…`;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  show(stats) {
    this.samples.push(stats);
    if (this.samples.length > HISTORY) this.samples.shift();
    this.host.dataset.samples = String(this.samples.length);
    this.status.textContent = `Live, as of ${time(stats.at)} (answered by ${stats.instanceId})`;
    const lag = Object.entries(stats.outboxLagSeconds || {});
    const maxLag = lag.length ? Math.max(...lag.map(([, v]) => v)) : null;
    clear(this.tiles,
      tile('total-connections', 'Connections', stats.totalConnections),
      tile('online-users', 'Online users', stats.onlineUsers),
      tile('rooms', 'Rooms', stats.rooms),
      tile('frames-in', 'Frames in /s', stats.framesInPerSecond),
      tile('frames-out', 'Frames out /s', stats.framesOutPerSecond),
      tile('outbox-lag', 'Max outbox lag (s)', maxLag == null ? null : maxLag.toFixed(1)));
    clear(this.instances,
      h('thead', {}, h('tr', {}, ['instance', 'connections', 'frames in /s', 'frames out /s'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (stats.gateways || []).map((g) => h('tr', { dataset: { instance: g.instanceId } },
        h('th', { scope: 'row' }, g.instanceId, g.self ? h('small.muted', {}, ' (this one)') : null),
        h('td.connections', {}, g.connections), h('td', {}, g.framesInPerSecond), h('td', {}, g.framesOutPerSecond)))));
    const down = (stats.services || []).filter((s) => !s.up).map((s) => s.service);
    if (down.length) this.status.append(h('span.error', {}, ` — no figures from ${down.join(', ')}`));

    const instances = [...new Set(this.samples.flatMap((s) => (s.gateways || []).map((g) => g.instanceId)))].sort();
    const services = [...new Set(this.samples.flatMap((s) => Object.keys(s.outboxLagSeconds || {})))].sort();
    clear(this.charts,
      chart('connections', 'Connections per gateway', instances.map((id) => ({
        name: id, values: this.samples.map((s) => (s.gateways || []).find((g) => g.instanceId === id)?.connections ?? null),
      }))),
      chart('frames', 'Frames per second', [
        { name: 'in', values: this.samples.map((s) => s.framesInPerSecond) },
        { name: 'out', values: this.samples.map((s) => s.framesOutPerSecond) },
      ]),
      chart('online', 'Online users', [{ name: 'online', values: this.samples.map((s) => s.onlineUsers) }]),
      chart('outbox', 'Outbox lag (s) per service', services.map((name) => ({
        name, values: this.samples.map((s) => s.outboxLagSeconds?.[name] ?? null),
      }))));
  }
}

function tile(id, label, value) {
  return h('div.tile', { id: `admin-${id}` }, h('span.value', {}, value == null ? '–' : String(value)), h('span.label', {}, label));
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const child of children) el.append(child);
  return el;
}

/** A line chart of series [{name, values}] (one value per sample, null = no figure), with a legend of the latest values. */
function chart(id, title, series) {
  const W = 360;
  const H = 120;
  const PAD = 4;
  const all = series.flatMap((s) => s.values).filter((v) => v != null);
  const max = Math.max(1, ...all) * 1.1;
  const x = (i) => PAD + (i * (W - 2 * PAD)) / (HISTORY - 1);
  const y = (v) => H - PAD - (v * (H - 2 * PAD)) / max;
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, preserveAspectRatio: 'none' },
    svg('line', { x1: 0, y1: H - PAD, x2: W, y2: H - PAD, class: 'axis' }),
    svg('line', { x1: 0, y1: y(max / 1.1), x2: W, y2: y(max / 1.1), class: 'grid' }));
  series.forEach((s, n) => {
    const offset = HISTORY - s.values.length;
    let d = '';
    s.values.forEach((v, i) => {
      if (v == null) return;
      d += `${d && s.values[i - 1] != null ? 'L' : 'M'}${x(offset + i).toFixed(1)},${y(v).toFixed(1)}`;
    });
    if (d) plot.append(svg('path', { d, fill: 'none', stroke: COLORS[n % COLORS.length], 'stroke-width': 2 }));
  });
  const legend = h('ul.legend', {}, series.map((s, n) => {
    const last = [...s.values].reverse().find((v) => v != null);
    return h('li', { dataset: { series: s.name } }, h('span.swatch', { style: `background:${COLORS[n % COLORS.length]}` }),
      `${s.name} `, h('b', {}, last == null ? '–' : String(last)));
  }));
  return h('figure.chart', { id: `admin-chart-${id}` },
    h('figcaption', {}, title, h('small.muted', {}, ` (max ${Math.round((max / 1.1) * 10) / 10})`)), plot, legend);
}
