// DOM helpers. Every text goes in as a text node or textContent: user data is
// never parsed as HTML anywhere in the app (no innerHTML, no insertAdjacentHTML).

const SAFE_URL = /^(https?:\/\/|mailto:|#|\/(?!\/))/i;

// safeUrl returns url when it is an http(s), mailto, in-app or same-site link, else "".
export function safeUrl(url) {
  return typeof url === 'string' && SAFE_URL.test(url.trim()) ? url.trim() : '';
}

// h builds an element: h('a', {href, class, testid, onclick}, child, ...).
// Children are nodes or strings (as text); null, false and arrays are handled.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') value = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'href' || k === 'src') {
      const url = safeUrl(String(v));
      if (url) el.setAttribute(k, url);
    } else if (typeof v === 'boolean') el.toggleAttribute(k, v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  if (value !== undefined) el.value = value; // after a select's options exist
  return el;
}

export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const loading = (what = 'Loading…') => h('p', { class: 'loading', role: 'status' }, what);
export const empty = (what) => h('p', { class: 'empty' }, what);

// errorText turns an API error into words (see api.js describeError).
export function errorBox(message, testid) {
  return h('p', { class: 'error', role: 'alert', testid }, message);
}

// field builds a labelled input with a hint and an error slot bound to name.
// kind: 'input' (default), 'textarea' or 'select' (options: [[value, label]]).
export function field({ label, name, testid, kind = 'input', options, hint, ...attrs }) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const errId = `${id}-err`;
  const hintId = hint ? `${id}-hint` : null;
  const describedby = [hintId, errId].filter(Boolean).join(' ');
  let control;
  if (kind === 'select') {
    control = h('select', { id, name, testid, 'aria-describedby': describedby, ...attrs },
      options.map(([v, l]) => h('option', { value: v }, l)));
  } else {
    control = h(kind, { id, name, testid, 'aria-describedby': describedby, ...attrs });
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint && h('p', { class: 'hint', id: hintId }, hint),
    h('p', { class: 'field-error', id: errId, 'data-error-for': name, 'aria-live': 'polite' }));
}

// labelled gives each cell of a table the header of its column (data-label),
// so that on a phone each row shows as a card of "label: value" lines.
export function labelled(table) {
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.cells].forEach((td, i) => td.setAttribute('data-label', heads[i] || ''));
  }
  return table;
}

// formatting
export function when(iso) {
  if (!iso) return '';
  const d = new Date(String(iso).replace(' ', 'T'));
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function day(d) {
  return d.toISOString().slice(0, 10);
}

export const points = (n) => `${n} ${Math.abs(n) === 1 ? 'point' : 'points'}`;

export function stars(avg) {
  const n = Math.round(Number(avg) || 0);
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

// setTitle names the page for the tab and moves focus to its heading, so
// keyboard and screen reader users land on the new content; a view no longer
// shown (a page left while it loaded) names nothing.
export function setTitle(view, title) {
  if (!view.isConnected) return;
  document.title = title ? `${title} · toolbase` : 'toolbase';
  const h1 = view.querySelector('h1');
  if (h1) {
    h1.tabIndex = -1;
    h1.focus({ preventScroll: false });
  }
}

// status badges and their explanation for creators
export const STATUS_TEXT = {
  DRAFT: 'Draft: only you can see and try it. Submit it for review when it is ready.',
  PENDING: 'Waiting for review: an admin will approve it (it then goes live) or come back to you.',
  ACTIVE: 'Live: listed in the catalog, and clients pay to use it. You can pause it.',
  INACTIVE: 'Paused: hidden from the catalog and not usable by others. Resume it any time.',
  SUSPENDED: 'Suspended by an admin: hidden and not usable by others. Open a support ticket to discuss it.',
};

export function badge(status) {
  return h('span', { class: `badge badge-${String(status).toLowerCase()}` }, status);
}

export const CATEGORIES = [
  ['AI', 'AI'], ['PRODUCTIVITY', 'Productivity'], ['CREATIVE', 'Creative'],
  ['DEVELOPMENT', 'Development'], ['BUSINESS', 'Business'], ['OTHER', 'Other'],
];
export const categoryLabel = (c) => (CATEGORIES.find(([v]) => v === c) || [c, c])[1];
