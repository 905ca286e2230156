// Support for admins: the inbox (open, waiting for the requester, resolved,
// closed), a ticket's thread with internal notes (marked: the requester never
// sees them, by the messages' view rule), replying or noting, assigning,
// prioritising, closing and reopening. New messages arrive live.
import { pb, drf, describeError, busy } from '../../api.js';
import { h, replace, labelled, loading, empty, errorBox, field, setTitle, when } from '../../dom.js';
import * as session from '../../session.js';
import { onReply } from '../../tickets.js';
import { frame, refreshCounts } from './shell.js';

const STATUS = [['OPEN', 'Open'], ['PENDING', 'Waiting for the requester'], ['RESOLVED', 'Resolved'], ['CLOSED', 'Closed']];
const PRIORITY = [['LOW', 'Low'], ['NORMAL', 'Normal'], ['HIGH', 'High'], ['URGENT', 'Urgent']];
const label = (list, v) => (list.find(([k]) => k === v) || [v, v])[1];

export const inbox = {
  async render({ view, query, setQuery }) {
    const tabs = [...STATUS, ['', 'All']];
    let status = tabs.some(([v]) => v === query.status) ? query.status : 'OPEN';
    const nav = h('div', { class: 'tabs', role: 'group', 'aria-label': 'Tickets by status' });
    const box = h('div', { 'aria-live': 'polite' }, loading('Loading tickets…'));
    const cleanup = frame(view, 'support', h('h1', null, 'Support'), nav, box);
    setTitle(view, 'Support');

    const showTabs = () => replace(nav, tabs.map(([v, l]) => h('button', {
      type: 'button', class: 'btn btn-small btn-quiet', 'aria-pressed': String(v === status), testid: `ticket-tab-${(v || 'all').toLowerCase()}`,
      onclick: () => { status = v; showTabs(); load(); },
    }, l)));
    async function load() {
      setQuery({ status: status === 'OPEN' ? '' : status || 'all' });
      try {
        const res = await drf('/api/support/tickets/', { query: { status, page_size: 100 } });
        replace(box, res.results.length
          ? labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Tickets'),
            h('thead', null, h('tr', null, ['Subject', 'From', 'Priority', 'Status', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.results.map((t) => h('tr', { testid: 'ticket-row' },
              h('td', null, h('a', { href: `#/admin/support/${encodeURIComponent(t.id)}` }, t.subject)),
              h('td', null, t.requester_email),
              h('td', null, label(PRIORITY, t.priority)),
              h('td', null, label(STATUS, t.status), t.assigned_to ? '' : h('span', { class: 'muted' }, ' · unassigned')),
              h('td', null, when(t.updated_at)))))))
          : empty(status === 'OPEN' ? 'No open tickets. Nice.' : 'No tickets here.'));
      } catch (err) {
        replace(box, errorBox(`The tickets could not be loaded: ${describeError(err)}`));
      }
    }
    if (query.status === 'all') status = '';
    showTabs();
    await load();
    return cleanup;
  },
};

export const thread = {
  async render({ view, params }) {
    const id = params.id;
    const me = session.user();
    let ticket = await drf(`/api/support/tickets/${encodeURIComponent(id)}/`);
    const msgs = h('ol', { class: 'thread', 'aria-live': 'polite' });
    const seen = new Set();
    const add = (m) => {
      if (seen.has(m.id)) return;
      seen.add(m.id);
      const staff = m.author_is_staff ?? (m.author !== ticket.requester);
      msgs.append(h('li', { class: `msg${staff ? ' staff' : ''}${m.internal ? ' internal' : ''}`, testid: m.internal ? 'ticket-note' : 'ticket-message' },
        h('p', { class: 'meta' },
          h('strong', null, staff ? (m.author_name || 'Support') : (m.author_name || ticket.requester_email)),
          m.internal && h('span', { class: 'badge badge-internal' }, 'Internal note: the requester never sees it'),
          h('span', { class: 'muted' }, when(m.created_at))),
        h('p', { class: 'body' }, m.body)));
    };
    (ticket.messages || []).forEach(add);

    const facts = h('p', { class: 'meta' });
    const controls = h('div', { class: 'actions' });
    const ctlErr = h('p', { class: 'form-error', role: 'alert' });
    const showFacts = () => replace(facts,
      h('span', { class: 'badge', testid: 'ticket-status' }, label(STATUS, ticket.status)),
      h('span', null, 'from ', h('a', { href: `#/admin/users/${encodeURIComponent(ticket.requester)}` }, ticket.requester_email)),
      h('span', { class: 'muted' }, `opened ${when(ticket.created_at)}`),
      h('span', null, ticket.assigned_to ? (ticket.assigned_to === me.id ? 'assigned to you' : 'assigned to another admin') : 'unassigned'));

    const save = async (body) => {
      ctlErr.textContent = '';
      try {
        ticket = { ...ticket, ...(await drf(`/api/support/tickets/${encodeURIComponent(id)}/`, { method: 'PATCH', body })) };
        showFacts();
        showControls();
        refreshCounts();
      } catch (err) {
        ctlErr.textContent = describeError(err);
      }
    };
    const patch = (body, b, text) => busy(b, text, () => save(body));
    function showControls() {
      const prio = h('select', { id: 'ticket-priority', testid: 'ticket-priority' }, PRIORITY.map(([v, l]) => h('option', { value: v }, l)));
      prio.value = ticket.priority;
      prio.addEventListener('change', async () => { prio.disabled = true; await save({ priority: prio.value }); prio.disabled = false; });
      const button = (text, testid, body, cls = 'btn-quiet') => {
        const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, testid }, text);
        b.addEventListener('click', () => patch(body, b, 'Saving…'));
        return b;
      };
      const closed = ticket.status === 'CLOSED' || ticket.status === 'RESOLVED';
      replace(controls,
        h('label', { for: 'ticket-priority' }, 'Priority'), prio,
        ticket.assigned_to !== me.id && button('Assign to me', 'ticket-assign', { assigned_to: me.id }),
        closed
          ? button('Reopen', 'ticket-reopen', { status: 'OPEN' })
          : [button('Resolve', 'ticket-resolve', { status: 'RESOLVED' }), button('Close', 'ticket-close', { status: 'CLOSED' })],
        ctlErr);
    }

    const status = h('p', { class: 'form-error', role: 'alert' });
    const send = h('button', { type: 'submit', class: 'btn', testid: 'ticket-send' }, 'Send the answer');
    const internal = h('input', { type: 'checkbox', id: 'ticket-internal', name: 'internal', testid: 'ticket-internal' });
    const form = h('form', { class: 'card form reply', novalidate: true },
      field({ label: 'Answer', name: 'body', testid: 'ticket-reply', kind: 'textarea', rows: 4, maxlength: 10000 }),
      h('div', { class: 'check' }, internal, h('label', { for: 'ticket-internal' }, 'Internal note: visible to admins only, never to the requester')),
      h('div', { class: 'actions' }, send, status));
    internal.addEventListener('change', () => {
      form.classList.toggle('internal', internal.checked);
      send.textContent = internal.checked ? 'Add the internal note' : 'Send the answer';
      form.querySelector('label[for^="f-body"]').textContent = internal.checked ? 'Internal note (admins only)' : 'Answer';
    });
    onReply(form, {
      id, button: send, status, extra: () => ({ internal: internal.checked }), sent: add,
      after: async () => {
        ticket = { ...ticket, ...(await drf(`/api/support/tickets/${encodeURIComponent(id)}/`)) };
        showFacts();
        showControls();
        refreshCounts();
      },
    });

    showFacts();
    showControls();
    const cleanup = frame(view, 'support',
      h('p', { class: 'crumbs' }, h('a', { href: '#/admin/support' }, '← Support')),
      h('h1', null, ticket.subject), facts, controls, msgs, form);
    setTitle(view, ticket.subject);

    let unsub = null;
    try {
      unsub = await pb.collection('ticket_messages').subscribe('*', (e) => {
        if (e.action === 'create' && e.record.ticket === id) {
          add({ ...e.record, author_is_staff: e.record.author !== ticket.requester, author_name: '' });
        }
      }, { filter: pb.filter('ticket = {:id}', { id }) });
    } catch { /* without realtime, a reload shows new messages */ }
    return () => {
      cleanup();
      if (unsub) unsub().catch(() => {});
    };
  },
};
