// The admin console's frame: its section navigation, with the live counts of
// what waits for an admin (tools PENDING, payouts REQUESTED, refunds
// REQUESTED, tickets OPEN). The counts come from the records API (the
// collections' rules let admins list them all) and follow PocketBase's
// realtime events on those collections; without realtime they are polled
// every 30 seconds. Only admins reach these pages (main.js), and every call
// they make is one the API itself allows only to admins.
import { pb } from '../../api.js';
import { h, replace } from '../../dom.js';

export const POLL_SECONDS = 30;

// the console's stylesheet, loaded with its first page (the rest of the app never pays for it)
export const styled = new Promise((resolve) => {
  let link = document.querySelector('link[data-admin-css]');
  if (link) return resolve();
  link = h('link', { rel: 'stylesheet', href: '/app/admin.css', 'data-admin-css': '' });
  link.addEventListener('load', () => resolve());
  link.addEventListener('error', () => resolve());
  document.head.append(link);
});

const SECTIONS = [
  ['overview', '#/admin', 'Overview'],
  ['moderation', '#/admin/moderation', 'Moderation', 'tools'],
  ['users', '#/admin/users', 'Users'],
  ['payouts', '#/admin/payouts', 'Payouts', 'payouts'],
  ['refunds', '#/admin/refunds', 'Refunds', 'refunds'],
  ['support', '#/admin/support', 'Support', 'tickets'],
  ['pages', '#/admin/pages', 'Site pages'],
  ['audit', '#/admin/audit', 'Audit log'],
];

// what waits, per count: collection and filter
export const WAITING = {
  tools: ['tools', 'status = "PENDING"', 'admin-pending-count', 'tools waiting for review'],
  payouts: ['payouts', 'status = "REQUESTED"', 'admin-payouts-count', 'payouts requested'],
  refunds: ['refunds', 'status = "REQUESTED"', 'admin-refunds-count', 'refunds requested'],
  tickets: ['support_tickets', 'status = "OPEN"', 'admin-tickets-count', 'open tickets'],
};

// one live store of the counts for every mounted admin page
const counts = { tools: null, payouts: null, refunds: null, tickets: null };
const listeners = new Set();
let mode = ''; // 'live' or 'polling'
let stopLive = null;
let pollTimer = 0;
let stopTimer = 0;
let debounce = 0;

async function recount() {
  await Promise.all(Object.entries(WAITING).map(async ([key, [col, filter]]) => {
    try {
      const res = await pb.collection(col).getList(1, 1, { filter, fields: 'id' });
      counts[key] = res.totalItems;
    } catch {
      counts[key] = null; // shown as "?" rather than a wrong number
    }
  }));
  for (const fn of listeners) fn(counts, mode);
}

async function start() {
  clearTimeout(stopTimer);
  if (stopLive || pollTimer) return;
  const unsubs = [];
  try {
    for (const [col] of Object.values(WAITING)) {
      unsubs.push(await pb.collection(col).subscribe('*', () => {
        clearTimeout(debounce);
        debounce = setTimeout(recount, 250);
      }, { fields: 'id' }));
    }
    mode = 'live';
    stopLive = () => unsubs.forEach((u) => u().catch(() => {}));
  } catch {
    unsubs.forEach((u) => u().catch(() => {}));
    mode = 'polling';
    pollTimer = setInterval(recount, POLL_SECONDS * 1000);
  }
  await recount();
}

function stop() {
  if (stopLive) stopLive();
  stopLive = null;
  clearInterval(pollTimer);
  pollTimer = 0;
  clearTimeout(debounce);
}

// watchCounts calls fn(counts, mode) now and on every change; the returned
// function stops watching (the subscriptions end a little after the last
// watcher leaves, so that moving between admin pages keeps them).
export function watchCounts(fn) {
  listeners.add(fn);
  fn(counts, mode);
  start();
  return () => {
    listeners.delete(fn);
    if (!listeners.size) {
      clearTimeout(stopTimer);
      stopTimer = setTimeout(stop, 2000);
    }
  };
}

// refreshCounts recounts at once (after an action of this page).
export const refreshCounts = () => recount();

function countBadge(key, testid, what) {
  return h('span', { class: 'count', testid, 'aria-label': `${what}: loading` }, '…');
}

// frame renders the console's navigation (section `active` marked) above
// content, and returns a cleanup function.
export function frame(view, active, ...content) {
  const links = SECTIONS.map(([key, href, label, waiting]) => h('a', {
    href, testid: `admin-nav-${key}`, 'aria-current': key === active ? 'page' : null,
  }, label, waiting && ' ', waiting && countBadge(waiting, WAITING[waiting][2], WAITING[waiting][3])));
  const note = h('p', { class: 'muted live-note', 'aria-live': 'polite' });
  const nav = h('nav', { class: 'admin-nav', 'aria-label': 'Admin console' }, links);
  replace(view, h('div', { class: 'admin' }, nav, note, content));
  const stopWatching = watchCounts((c, how) => {
    for (const [key, [, , testid, what]] of Object.entries(WAITING)) {
      const el = nav.querySelector(`[data-testid="${testid}"]`);
      if (!el) continue;
      el.textContent = c[key] == null ? '?' : String(c[key]);
      el.classList.toggle('zero', c[key] === 0);
      el.setAttribute('aria-label', `${what}: ${c[key] == null ? 'unknown' : c[key]}`);
    }
    note.textContent = how === 'live' ? 'Counts update live.' : how === 'polling' ? `Counts refresh every ${POLL_SECONDS} seconds.` : '';
  });
  return stopWatching;
}

// KNOWN_ACTIONS: the audit log's actions, for its filter's suggestions.
export const KNOWN_ACTIONS = [
  'user.role', 'points.grant', 'points.deduct', 'points.adjust', 'tool.status',
  'payout.approve', 'payout.reject', 'payout.mark_paid', 'refund.approve', 'refund.reject',
  'ticket.update', 'ticket.reply', 'ticket.internal_note', 'page.create', 'page.update', 'page.delete',
];
await styled;
