// The user's own uses (records API, paged, by tool) and refund requests (DRF).
import { pb, drf, describeError, showErrors, busy } from '../api.js';
import { h, replace, labelled, loading, empty, errorBox, field, setTitle, when, points } from '../dom.js';
import * as session from '../session.js';

const PER_PAGE = 20;

export async function render({ view, query, setQuery }) {
  const me = session.user();
  let tool = query.tool || '';
  let page = Math.max(1, parseInt(query.page, 10) || 1);

  const select = h('select', { id: 'usage-tool', testid: 'usage-tool' }, h('option', { value: '' }, 'All tools'));
  const list = h('div', { 'aria-live': 'polite' }, loading('Loading your uses…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Usage pages' });
  replace(view,
    h('h1', null, 'Usage'),
    h('p', { class: 'lead' }, 'Every use of a tool on your account, newest first. A paid use can be refunded on request within the refund window.'),
    h('div', { class: 'toolbar' }, h('div', { class: 'field' }, h('label', { for: 'usage-tool' }, 'Tool'), select)),
    list, pager);
  setTitle(view, 'Usage');

  // the tools the user used recently, for the filter
  pb.collection('tool_usage').getList(1, 200, { filter: pb.filter('user = {:u}', { u: me.id }), sort: '-created_at', fields: 'tool,expand.tool.name', expand: 'tool', skipTotal: true })
    .then((res) => {
      const seen = new Map();
      for (const u of res.items) if (!seen.has(u.tool)) seen.set(u.tool, u.expand?.tool?.name || `Tool ${u.tool}`);
      if (tool && !seen.has(tool)) seen.set(tool, `Tool ${tool}`);
      for (const [id, name] of seen) select.append(h('option', { value: id }, name));
      select.value = tool;
    }).catch(() => {});
  select.addEventListener('change', () => { tool = select.value; page = 1; load(); });

  async function load() {
    setQuery({ tool, page: page > 1 ? page : '' });
    list.setAttribute('aria-busy', 'true');
    try {
      const filter = pb.filter(tool ? 'user = {:u} && tool = {:t}' : 'user = {:u}', { u: me.id, t: tool });
      const res = await pb.collection('tool_usage').getList(page, PER_PAGE, {
        filter, sort: '-created_at', expand: 'tool',
        fields: 'id,tool,points_spent,success,state,error_message,execution_time_ms,created_at,refunded_at,expand.tool.name',
      });
      const refunds = await refundsOf(res.items);
      if (!res.items.length) replace(list, empty(tool ? 'No uses of this tool yet.' : 'No uses yet. Find a tool in the catalog.'));
      else {
        replace(list, labelled(h('table', { class: 'table' },
          h('caption', { class: 'sr-only' }, 'Your uses'),
          h('thead', null, h('tr', null, ['When', 'Tool', 'Points', 'Result', 'Time', 'Refund'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, res.items.map((u) => row(u, refunds.get(u.id)))))));
      }
      replace(pager, res.totalPages > 1 && [
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page <= 1, onclick: () => { page--; load(); } }, '← Newer'),
        h('span', null, `Page ${res.page} of ${res.totalPages}`),
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page >= res.totalPages, onclick: () => { page++; load(); } }, 'Older →')]);
    } catch (err) {
      replace(list, errorBox(`Your usage could not be loaded: ${describeError(err)}`));
    }
    list.removeAttribute('aria-busy');
  }
  await load();
}

async function refundsOf(items) {
  const paid = items.filter((u) => u.points_spent > 0);
  if (!paid.length) return new Map();
  const filter = paid.map((u) => pb.filter('usage = {:id}', { id: u.id })).join(' || ');
  try {
    const res = await pb.collection('refunds').getFullList({ filter, fields: 'usage,status' });
    return new Map(res.map((r) => [r.usage, r]));
  } catch {
    return new Map();
  }
}

function outcome(u) {
  if (u.state === 'PENDING') return 'Running';
  if (u.state === 'FAILED') return `Failed, refunded${u.error_message ? `: ${u.error_message}` : ''}`;
  if (u.refunded_at) return 'Succeeded, refunded';
  return 'Succeeded';
}

function row(u, refund) {
  const cell = h('td');
  if (refund) cell.append(`Refund ${refund.status.toLowerCase()}`);
  else if (u.points_spent > 0 && u.state === 'SUCCEEDED' && !u.refunded_at) {
    const open = h('button', { type: 'button', class: 'btn btn-quiet btn-small', testid: 'refund-open' }, 'Request a refund');
    open.addEventListener('click', () => replace(cell, refundForm(u, cell)));
    cell.append(open);
  } else cell.append('—');
  return h('tr', { testid: 'usage-row' },
    h('td', null, when(u.created_at)),
    h('td', null, u.expand?.tool ? h('a', { href: `#/tools/${encodeURIComponent(u.tool)}` }, u.expand.tool.name) : 'A tool no longer listed'),
    h('td', { class: 'num' }, String(u.points_spent)),
    h('td', null, outcome(u)),
    h('td', { class: 'num' }, `${u.execution_time_ms ?? 0} ms`),
    cell);
}

function refundForm(u, cell) {
  const status = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-small', testid: 'refund-submit' }, `Ask for ${points(u.points_spent)} back`);
  const form = h('form', { class: 'form inline-form', novalidate: true },
    field({ label: 'Why? (an admin reads it)', name: 'reason', testid: 'refund-reason', kind: 'textarea', rows: 2, maxlength: 2000, required: true }),
    h('div', { class: 'actions' }, submit, status));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = form.reason.value.trim();
    if (!reason) {
      status.textContent = 'Say why you want a refund.';
      form.reason.focus();
      return;
    }
    await busy(submit, 'Sending…', async () => {
      try {
        await drf('/api/refunds/', { method: 'POST', body: { usage: u.id, reason } });
        replace(cell, h('span', { role: 'status' }, 'Refund requested'));
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });
  setTimeout(() => form.reason.focus());
  return form;
}
