// The creator's console: revenue (earned, paid out, pending) and payouts,
// statistics of all its tools, and its tools with their status and actions.
// New uses of its tools arrive by realtime and refresh the numbers.
import { pb, drf, describeError, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, labelled, loading, empty, errorBox, field, setTitle, when, points, badge, STATUS_TEXT } from '../dom.js';
import { statsPanel } from '../stats.js';
import { statusActions } from './creatortool.js';

export async function render({ view }) {
  const revenue = h('div', { 'aria-live': 'polite' }, loading('Loading revenue…'));
  const payouts = h('div');
  const tools = h('div', null, loading('Loading your tools…'));
  const stats = statsPanel('/api/tools/usage/stats/', (b) => [
    ['Uses', b.total_uses, 'stats-uses'],
    ['Points spent (gross)', b.total_revenue, 'stats-gross'],
    ['Your earnings', b.creator_earnings, 'stats-earnings'],
    ['Users', b.unique_users, 'stats-users'],
  ]);

  replace(view,
    h('div', { class: 'head-row' },
      h('h1', null, 'Creator console'),
      h('a', { href: '#/creator/new', class: 'btn', testid: 'creator-tool-new' }, 'New tool')),
    h('section', { class: 'card', 'aria-labelledby': 'rev-h' }, h('h2', { id: 'rev-h' }, 'Revenue'), revenue, payouts),
    h('section', { class: 'card', 'aria-labelledby': 'stats-h' }, h('h2', { id: 'stats-h' }, 'All your tools'), stats.el),
    h('section', { 'aria-labelledby': 'tools-h' }, h('h2', { id: 'tools-h' }, 'Your tools'), tools));
  setTitle(view, 'Creator console');

  async function loadRevenue() {
    try {
      const [r, list] = await Promise.all([
        drf('/api/users/tool-creators/revenue_stats/'),
        drf('/api/payouts/', { query: { page_size: 20 } }),
      ]);
      const requested = list.results.filter((p) => p.status === 'REQUESTED' || p.status === 'APPROVED').reduce((a, p) => a + p.amount, 0);
      replace(revenue, h('dl', { class: 'figures' },
        h('div', null, h('dt', null, 'Earned (net of the platform fee)'), h('dd', { testid: 'revenue-earned' }, String(r.total_revenue))),
        h('div', null, h('dt', null, 'Paid out'), h('dd', { testid: 'revenue-paid' }, String(r.total_payouts))),
        h('div', null, h('dt', null, 'Pending'), h('dd', { testid: 'revenue-pending' }, String(r.pending_balance))),
        h('div', null, h('dt', null, 'In payout requests'), h('dd', null, String(requested)))));
      replace(payouts, payoutForm(r.pending_balance - requested, loadRevenue),
        list.results.length
          ? labelled(h('table', { class: 'table' }, h('caption', null, 'Your payout requests'),
            h('thead', null, h('tr', null, ['Requested', 'Amount', 'Status', 'Reference'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, list.results.map((p) => h('tr', { testid: 'payout-row' },
              h('td', null, when(p.created_at)), h('td', { class: 'num' }, String(p.amount)),
              h('td', null, p.status), h('td', null, p.reference || p.note || ''))))))
          : empty('No payout requests yet.'));
    } catch (err) {
      replace(revenue, errorBox(`Revenue could not be loaded: ${describeError(err)}`));
    }
  }

  async function loadTools() {
    try {
      const list = await drf('/api/tools/tools/my_tools/');
      replace(tools, list.length
        ? h('ul', { class: 'cards' }, list.map((t) => h('li', null, h('article', { class: 'card', testid: 'creator-tool' },
          h('h3', { class: 'card-title' }, h('a', { href: `#/creator/tools/${encodeURIComponent(t.id)}` }, t.name)),
          h('p', { class: 'meta' }, badge(t.status), h('span', null, points(t.points_cost)), h('span', null, `${t.total_uses} uses`),
            h('span', null, t.rating_count ? `${t.average_rating} ★ (${t.rating_count})` : 'no reviews')),
          h('p', { class: 'muted' }, STATUS_TEXT[t.status]),
          statusActions(t, () => { loadTools(); }),
        ))))
        : empty('No tools yet. Create one: it starts as a draft that only you can see and try.'));
    } catch (err) {
      replace(tools, errorBox(`Your tools could not be loaded: ${describeError(err)}`));
    }
  }

  await Promise.all([loadRevenue(), loadTools(), stats.reload()]);

  // uses of the creator's tools arrive live (the usage rule lets it see them)
  let timer = 0;
  let unsub = null;
  try {
    unsub = await pb.collection('tool_usage').subscribe('*', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { stats.reload(); loadRevenue(); loadTools(); }, 300);
    });
  } catch { /* without realtime the numbers refresh on the next visit */ }
  return () => {
    clearTimeout(timer);
    stats.close();
    if (unsub) unsub().catch(() => {});
  };
}

function payoutForm(available, done) {
  const status = h('p', { class: 'form-error', role: 'alert' });
  const ok = h('p', { class: 'ok', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'payout-submit' }, 'Request a payout');
  const form = h('form', { class: 'form', novalidate: true },
    h('h3', null, 'Request a payout'),
    h('div', { class: 'row2' },
      field({ label: 'Amount (points)', name: 'amount', testid: 'payout-amount', type: 'number', min: 1, inputmode: 'numeric',
        hint: `Up to ${Math.max(0, available)} available. An admin approves and pays it.` }),
      field({ label: 'Method (optional)', name: 'method', maxlength: 200, hint: 'e.g. bank transfer' })),
    h('div', { class: 'actions' }, submit, status), ok);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    status.textContent = '';
    ok.textContent = '';
    const amount = Number(form.amount.value);
    if (!Number.isInteger(amount) || amount < 1) {
      form.querySelector('[data-error-for="amount"]').textContent = 'Enter a whole number of points.';
      form.amount.setAttribute('aria-invalid', 'true');
      form.amount.focus();
      return;
    }
    await busy(submit, 'Sending…', async () => {
      try {
        await drf('/api/payouts/', { method: 'POST', body: { amount, method: form.elements.method.value.trim() } });
        await done();
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });
  return form;
}
