// Tiny DOM helpers: elements are built with h(), never from HTML strings, so user text is never markup.

// Read-only or differently named as properties: always set as attributes.
const ATTRIBUTES = new Set(['list', 'form', 'for']);

/** h('button.primary', {onclick, type: 'button'}, 'text', child…) */
export function h(tag, props = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'class') el.className += ` ${value}`;
    else if (key in el && !ATTRIBUTES.has(key) && typeof el[key] !== 'function') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const time = (ms) => timeFormat.format(new Date(ms));
export const dateTime = (ms) => dateFormat.format(new Date(ms));

/** Calls fn at most once per `ms` (leading edge). */
export function throttle(fn, ms) {
  let last = 0;
  return (...args) => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn(...args);
    }
  };
}

/** A short-lived notice at the bottom of the screen (errors the user should see). */
export function toast(text, kind = 'info') {
  const host = document.getElementById('toasts');
  const el = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
  host.append(el);
  setTimeout(() => el.remove(), 6000);
}
