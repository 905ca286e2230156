// The admin console's overview: what waits for an admin (live counts, each a
// link to its queue), and the platform's statistics over a range (the admin
// body of GET /api/tools/usage/stats/): uses, points spent, the platform's
// fees, points granted, new users, a chart (uses, points spent and fees by
// period), top tools and top creators.
import { h, replace, labelled, empty } from '../../dom.js';
import { statsPanel } from '../../stats.js';
import { frame, watchCounts, WAITING } from './shell.js';

const QUEUES = [
  ['tools', '#/admin/moderation', 'Tools to review'],
  ['payouts', '#/admin/payouts', 'Payouts to process'],
  ['refunds', '#/admin/refunds', 'Refunds to decide'],
  ['tickets', '#/admin/support', 'Open tickets'],
];

export async function render({ view }) {
  const waiting = h('ul', { class: 'queues' }, QUEUES.map(([key, href, label]) => h('li', null,
    h('a', { href, class: 'card queue' }, h('span', { class: 'queue-n', 'data-queue': key }, '…'), h('span', null, label)))));
  const tops = h('div', { class: 'row2' });
  const stats = statsPanel('/api/tools/usage/stats/', (b) => [
    ['Uses', b.total_uses, 'admin-stats-uses'],
    ['Points spent', b.points_spent, 'admin-stats-spent'],
    ['Fees (the platform’s share)', b.platform_fees, 'admin-stats-fees'],
    ['Points granted', b.points_granted, 'admin-stats-granted'],
    ['New users', b.new_users, 'admin-stats-users'],
  ], (b) => {
    const canvas = stats.el.querySelector('canvas');
    if (canvas) {
      canvas.dataset.testid = 'admin-stats-chart';
      canvas.setAttribute('aria-label', `Chart: ${b.total_uses} uses, ${b.points_spent} points spent, ${b.platform_fees} in fees in the range`);
    }
    replace(tops, topTable('Top tools', ['Tool', 'Uses', 'Points'], b.top_tools,
      (t) => [h('a', { href: `#/tools/${encodeURIComponent(t.tool)}` }, t.tool_name), String(t.uses), String(t.points_spent)]),
    topTable('Top creators', ['Creator', 'Uses', 'Points'], b.top_creators,
      (c) => [h('a', { href: `#/admin/users/${encodeURIComponent(c.creator)}` }, c.creator_name || c.creator_email), String(c.uses), String(c.points_spent)]));
  }, { extra: [{ key: 'platform_fees', label: 'Fees' }] });

  const cleanup = frame(view, 'overview',
    h('h1', null, 'Admin console'),
    h('section', { 'aria-labelledby': 'wait-h' }, h('h2', { id: 'wait-h' }, 'Waiting for an admin'), waiting),
    h('section', { class: 'card', 'aria-labelledby': 'pstats-h' }, h('h2', { id: 'pstats-h' }, 'The platform'), stats.el, tops));
  const stopQueues = watchCounts((counts) => {
    for (const el of waiting.querySelectorAll('[data-queue]')) {
      const n = counts[el.dataset.queue];
      el.textContent = n == null ? '…' : String(n);
      el.closest('a').setAttribute('aria-label', `${el.nextSibling.textContent}: ${n ?? 'loading'} (${WAITING[el.dataset.queue][3]})`);
    }
  });
  await stats.reload();
  return () => {
    cleanup();
    stopQueues();
    stats.close();
  };
}

function topTable(caption, heads, rows, cells) {
  if (!rows || !rows.length) return h('div', null, h('h3', null, caption), empty('No uses in this range.'));
  return h('div', null, labelled(h('table', { class: 'table' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
    h('tbody', null, rows.map((r) => h('tr', null, cells(r).map((c, i) => h('td', { class: i ? 'num' : null }, c))))))));
}
