// The audit log (records API: admins only, by its view rule): filter by
// actor, action, target and date; each row shows the fields before and after.
import { pb, describeError } from '../../api.js';
import { h, replace, loading, empty, errorBox, setTitle, when } from '../../dom.js';
import { frame, KNOWN_ACTIONS } from './shell.js';

const PER_PAGE = 50;

const show = (v) => (v === undefined ? '—' : v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export async function render({ view, query, setQuery }) {
  const input = (id, label, attrs = {}) => {
    const el = h('input', { id, name: id, value: query[id] || '', ...attrs });
    return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
  };
  const [actor, actorF] = input('actor', 'Actor (email contains)', { type: 'search', testid: 'audit-actor' });
  const [action, actionF] = input('action', 'Action', { type: 'search', list: 'audit-actions', testid: 'audit-action', placeholder: 'payout. or points.grant' });
  const [target, targetF] = input('target', 'Target (collection/id, contains)', { type: 'search', testid: 'audit-target' });
  const [from, fromF] = input('from', 'From', { type: 'date', testid: 'audit-from' });
  const [to, toF] = input('to', 'To', { type: 'date', testid: 'audit-to' });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const box = h('div', { 'aria-live': 'polite' }, loading('Loading the audit log…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Audit log pages' });
  let page = Math.max(1, parseInt(query.page, 10) || 1);
  const form = h('form', { class: 'toolbar', role: 'search', novalidate: true }, actorF, actionF, targetF, fromF, toF,
    h('datalist', { id: 'audit-actions' }, KNOWN_ACTIONS.map((a) => h('option', { value: a })), ['payout.', 'refund.', 'points.', 'ticket.', 'page.'].map((a) => h('option', { value: a }))),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'btn' }, 'Filter')), err);
  const cleanup = frame(view, 'audit',
    h('h1', null, 'Audit log'),
    h('p', { class: 'lead' }, 'Every admin action, written in the same transaction as the action itself: who, what, to what, when, and the fields before and after. Nobody can change it.'),
    form, box, pager);
  setTitle(view, 'Audit log');

  async function load() {
    err.textContent = '';
    const q = { actor: actor.value.trim(), action: action.value.trim(), target: target.value.trim(), from: from.value, to: to.value };
    if (q.from && q.to && q.from > q.to) {
      err.textContent = '“From” is after “To”.';
      from.setAttribute('aria-invalid', 'true');
      return;
    }
    from.removeAttribute('aria-invalid');
    setQuery({ ...q, page: page > 1 ? page : '' });
    const parts = [];
    if (q.actor) parts.push(pb.filter('actor_email ~ {:a}', { a: q.actor }));
    // "payout." is a prefix; anything else an exact action
    if (q.action) parts.push(q.action.endsWith('.') ? pb.filter('action ~ {:p}', { p: `${q.action}%` }) : pb.filter('action = {:a}', { a: q.action }));
    if (q.target) parts.push(pb.filter('target ~ {:t}', { t: q.target }));
    if (q.from) parts.push(pb.filter('created_at >= {:f}', { f: `${q.from} 00:00:00.000Z` }));
    if (q.to) parts.push(pb.filter('created_at <= {:t}', { t: `${q.to} 23:59:59.999Z` }));
    box.setAttribute('aria-busy', 'true');
    try {
      const res = await pb.collection('audit_log').getList(page, PER_PAGE, { filter: parts.join(' && '), sort: '-created_at,-id' });
      replace(box, res.items.length ? h('ol', { class: 'audit' }, res.items.map(row)) : empty('No audit rows match.'));
      replace(pager, res.totalPages > 1 && [
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page <= 1, onclick: () => { page--; load(); } }, '← Newer'),
        h('span', null, `Page ${res.page} of ${res.totalPages} (${res.totalItems} rows)`),
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page >= res.totalPages, onclick: () => { page++; load(); } }, 'Older →')]);
    } catch (e) {
      replace(box, errorBox(`The audit log could not be loaded: ${describeError(e)}`));
    } finally {
      box.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); page = 1; load(); });
  for (const el of [from, to]) el.addEventListener('change', () => { page = 1; load(); });
  await load();
  return cleanup;
}

// row: one audit row, its changed fields as before → after
function row(r) {
  const before = r.before && typeof r.before === 'object' ? r.before : {};
  const after = r.after && typeof r.after === 'object' ? r.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const [col, id] = String(r.target).split('/');
  const link = col === 'users' ? `#/admin/users/${id}` : col === 'tools' ? `#/tools/${id}` : col === 'support_tickets' ? `#/admin/support/${id}` : '';
  return h('li', { class: 'card audit-row', testid: 'audit-row' },
    h('p', { class: 'meta' },
      h('strong', null, r.action),
      h('span', null, 'by ', r.actor_email || 'toolbase', r.actor_role ? ` (${r.actor_role})` : ''),
      h('span', null, 'on ', link ? h('a', { href: link }, r.target) : r.target),
      h('span', { class: 'muted' }, when(r.created_at))),
    keys.length
      ? h('table', { class: 'diff' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
        h('tbody', null, keys.map((k) => h('tr', { class: show(before[k]) === show(after[k]) ? 'same' : 'changed' },
          h('th', { scope: 'row' }, k), h('td', null, r.before == null ? '—' : show(before[k])), h('td', null, r.after == null ? '—' : show(after[k]))))))
      : h('p', { class: 'muted' }, 'No fields recorded.'));
}
