// Refunds: the requests with the usage in question (tool, input, output or
// error, what it cost); approve (the points go back to the payer, once, and
// the creator's earning is reversed) or reject with a reason.
import { pb, drf, describeError } from '../../api.js';
import { h, replace, loading, empty, errorBox, setTitle, when, points } from '../../dom.js';
import { ask } from '../../dialog.js';
import { frame, refreshCounts } from './shell.js';

const VIEWS = [
  ['REQUESTED', 'Requested', 'status = "REQUESTED"', 'created_at'],
  ['APPROVED', 'Approved', 'status = "APPROVED"', '-updated_at'],
  ['REJECTED', 'Rejected', 'status = "REJECTED"', '-updated_at'],
  ['all', 'All', '', '-created_at'],
];

const json = (v) => {
  const s = JSON.stringify(v ?? null, null, 2);
  return s.length > 2000 ? `${s.slice(0, 2000)}\n…` : s;
};

export async function render({ view, query, setQuery }) {
  const select = h('select', { id: 'refund-view', testid: 'refund-filter' }, VIEWS.map(([v, l]) => h('option', { value: v }, l)));
  select.value = VIEWS.some(([v]) => v === query.view) ? query.view : 'REQUESTED';
  const box = h('div', { 'aria-live': 'polite' }, loading('Loading refunds…'));
  const cleanup = frame(view, 'refunds',
    h('h1', null, 'Refunds'),
    h('p', { class: 'lead' }, 'A payer asks for the points of one use back. Approving credits them to the payer and takes the creator’s earning back (the platform absorbs what was already paid out); each use is refunded at most once.'),
    h('div', { class: 'toolbar' }, h('div', { class: 'field' }, h('label', { for: 'refund-view' }, 'Show'), select)),
    box);
  setTitle(view, 'Refunds');

  async function load() {
    const [key, , filter, sort] = VIEWS.find(([v]) => v === select.value);
    setQuery({ view: key === 'REQUESTED' ? '' : key });
    try {
      const res = await pb.collection('refunds').getList(1, 100, { filter, sort, expand: 'requester,usage,usage.tool' });
      replace(box, res.items.length ? h('ul', { class: 'stack' }, res.items.map((r) => h('li', null, card(r)))) : empty('Nothing here.'));
    } catch (err) {
      replace(box, errorBox(`The refunds could not be loaded: ${describeError(err)}`));
    }
  }

  function card(r) {
    const el = h('article', { class: 'card', testid: 'refund-row', 'data-id': r.id });
    const fill = () => {
      const u = r.expand?.usage || {};
      const tool = u.expand?.tool;
      const email = r.expand?.requester?.email || r.requester_email || r.requester;
      const decide = async (verb, opts) => {
        const res = await ask({ ...opts, run: (values) => drf(`/api/refunds/${encodeURIComponent(r.id)}/${verb}/`, { method: 'POST', body: values }) });
        if (res && !res.error) {
          Object.assign(r, res);
          fill();
          refreshCounts();
        }
      };
      const acts = r.status === 'REQUESTED' && h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'refund-approve', onclick: () => decide('approve', {
          title: `Refund ${points(r.amount)} to ${email}?`,
          message: `The points go back to ${email} and ${tool ? `“${tool.name}”’s` : 'the'} creator’s earning is reversed.`,
          fields: [{ label: 'Note to the payer (optional)', name: 'note', testid: 'refund-note', maxlength: 2000 }],
          ok: `Refund ${points(r.amount)}`,
        }) }, 'Approve…'),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet', testid: 'refund-reject', onclick: () => decide('reject', {
          title: `Reject the refund request of ${email}?`,
          fields: [{ label: 'Reason (shown to the payer)', name: 'note', testid: 'refund-reject-reason', kind: 'textarea', rows: 3, maxlength: 2000, required: true }],
          ok: 'Reject',
          danger: true,
        }) }, 'Reject…'));
      replace(el,
        h('h3', { class: 'card-title' }, `${points(r.amount)} for ${tool ? tool.name : 'a use'}`),
        h('p', { class: 'meta' }, h('span', { class: `badge badge-${r.status.toLowerCase()}` }, r.status),
          h('span', null, 'asked by ', h('a', { href: `#/admin/users/${encodeURIComponent(r.requester)}` }, email)),
          h('span', { class: 'muted' }, when(r.created_at))),
        h('p', { class: 'comment' }, h('strong', null, 'Reason: '), r.reason || '—'),
        h('details', null, h('summary', null, `The use: ${when(u.created_at)}, ${u.state === 'FAILED' ? 'failed' : 'succeeded'}, ${points(u.points_spent ?? r.amount)}`),
          h('dl', { class: 'facts small' },
            h('dt', null, 'Tool'), h('dd', null, tool ? h('a', { href: `#/tools/${encodeURIComponent(tool.id)}` }, tool.name) : u.tool),
            h('dt', null, 'Execution'), h('dd', null, `${u.execution_time_ms ?? 0} ms`),
            u.error_message && [h('dt', null, 'Error'), h('dd', null, u.error_message)]),
          h('p', { class: 'muted' }, 'Input'), h('pre', { class: 'output' }, json(u.input_data)),
          h('p', { class: 'muted' }, 'Output'), h('pre', { class: 'output' }, json(u.output_data))),
        r.status !== 'REQUESTED' && h('p', { class: 'muted' }, `Decided ${when(r.processed_at)}${r.note ? `: “${r.note}”` : ''}${r.platform_absorbed ? ` · the platform absorbed ${r.platform_absorbed}` : ''}`),
        acts);
    };
    fill();
    return el;
  }

  select.addEventListener('change', load);
  await load();
  return cleanup;
}
