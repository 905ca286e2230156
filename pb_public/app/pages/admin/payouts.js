// Payouts: the queue (requested, approved), and the history; approve, reject
// with a reason, mark paid with the external payment's reference. Each
// decision is one DRF call made from a confirmation whose button is disabled
// while it runs (no double submit); the API moves each payout at most once
// anyway (a conditional UPDATE) and pays it at most once (one PAYOUT row).
import { pb, drf, describeError } from '../../api.js';
import { h, replace, labelled, loading, empty, errorBox, setTitle, when, points } from '../../dom.js';
import { ask } from '../../dialog.js';
import { frame, refreshCounts } from './shell.js';

const VIEWS = [
  ['todo', 'To do (requested or approved)', 'status = "REQUESTED" || status = "APPROVED"', 'created_at'],
  ['REQUESTED', 'Requested', 'status = "REQUESTED"', 'created_at'],
  ['APPROVED', 'Approved, to pay', 'status = "APPROVED"', 'created_at'],
  ['PAID', 'Paid', 'status = "PAID"', '-updated_at'],
  ['REJECTED', 'Rejected', 'status = "REJECTED"', '-updated_at'],
  ['all', 'All', '', '-created_at'],
];

export async function render({ view, query, setQuery }) {
  const select = h('select', { id: 'payout-view', testid: 'payout-filter' }, VIEWS.map(([v, l]) => h('option', { value: v }, l)));
  select.value = VIEWS.some(([v]) => v === query.view) ? query.view : 'todo';
  const box = h('div', { 'aria-live': 'polite' }, loading('Loading payouts…'));
  const cleanup = frame(view, 'payouts',
    h('h1', null, 'Payouts'),
    h('p', { class: 'lead' }, 'A creator asks to be paid part of its pending revenue. Approve it, pay it outside toolbase, then mark it paid with the payment’s reference: that writes the PAYOUT row. Or reject it with a reason.'),
    h('div', { class: 'toolbar' }, h('div', { class: 'field' }, h('label', { for: 'payout-view' }, 'Show'), select)),
    box);
  setTitle(view, 'Payouts');

  async function load() {
    const [key, , filter, sort] = VIEWS.find(([v]) => v === select.value);
    setQuery({ view: key === 'todo' ? '' : key });
    try {
      const res = await pb.collection('payouts').getList(1, 100, { filter, sort, expand: 'creator' });
      replace(box, res.items.length
        ? labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Payouts'),
          h('thead', null, h('tr', null, ['Requested', 'Creator', 'Amount', 'Method', 'Status', 'Reference / note', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, res.items.map(row))))
        : empty('Nothing here.'));
    } catch (err) {
      replace(box, errorBox(`The payouts could not be loaded: ${describeError(err)}`));
    }
  }

  function row(p) {
    const tr = h('tr', { testid: 'payout-row', 'data-id': p.id });
    const email = p.expand?.creator?.email || p.creator_email || p.creator;
    const fill = () => {
      const err = h('p', { class: 'form-error', role: 'alert' });
      const acts = [];
      const act = (label, testid, cls, fn) => {
        const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, testid }, label);
        b.addEventListener('click', fn);
        acts.push(b);
      };
      const decide = async (verb, opts) => {
        err.textContent = '';
        const res = await ask({
          ...opts,
          run: (values) => drf(`/api/payouts/${encodeURIComponent(p.id)}/${verb}/`, { method: 'POST', body: values }),
        });
        if (res && !res.error) {
          Object.assign(p, res);
          fill();
          refreshCounts();
        }
      };
      const who = `${points(p.amount)} to ${email}`;
      if (p.status === 'REQUESTED') {
        act('Approve', 'payout-approve', '', () => decide('approve', {
          title: `Approve the payout of ${who}?`,
          message: 'Approving says it will be paid; no points move until you mark it paid.',
          ok: 'Approve',
        }));
      }
      if (p.status === 'APPROVED') {
        act('Mark paid…', 'payout-mark-paid', '', () => decide('mark_paid', {
          title: `Mark the payout of ${who} paid?`,
          message: `Once you have paid it outside toolbase. This writes the PAYOUT row: ${points(p.amount)} leave the creator’s pending revenue, once.`,
          fields: [
            { label: 'Payment reference (bank transfer id, invoice…)', name: 'reference', testid: 'payout-reference', maxlength: 200, required: true },
            { label: 'Note (optional)', name: 'note', testid: 'payout-note', maxlength: 2000 },
          ],
          ok: 'Mark paid',
        }));
      }
      if (p.status === 'REQUESTED' || p.status === 'APPROVED') {
        act('Reject…', 'payout-reject', 'btn-quiet', () => decide('reject', {
          title: `Reject the payout of ${who}?`,
          message: 'The creator sees your reason on its payout request; its pending revenue stays as it is.',
          fields: [{ label: 'Reason (shown to the creator)', name: 'note', testid: 'payout-reject-reason', kind: 'textarea', rows: 3, maxlength: 2000, required: true }],
          ok: 'Reject',
          danger: true,
        }));
      }
      replace(tr,
        h('td', null, when(p.created_at)),
        h('td', null, h('a', { href: `#/admin/users/${encodeURIComponent(p.creator)}` }, email)),
        h('td', { class: 'num' }, String(p.amount)),
        h('td', null, p.method || '—'),
        h('td', null, h('span', { class: `badge badge-${p.status.toLowerCase()}` }, p.status), p.processed_at && h('span', { class: 'muted' }, ` ${when(p.processed_at)}`)),
        h('td', null, [p.reference && `Ref. ${p.reference}`, p.note].filter(Boolean).join(' · ') || '—'),
        h('td', null, acts.length ? h('div', { class: 'actions' }, acts) : '—', err));
    };
    fill();
    return tr;
  }

  select.addEventListener('change', load);
  await load();
  return cleanup;
}
