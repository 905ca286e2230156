// Support: the user's tickets (DRF support routes), opening one, reading and
// answering its thread; new answers arrive live (realtime, the messages' rule).
import { pb, drf, describeError, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, loading, empty, errorBox, field, setTitle, when } from '../dom.js';
import { onReply } from '../tickets.js';

const STATUS = { OPEN: 'Open', PENDING: 'Waiting for you', RESOLVED: 'Resolved', CLOSED: 'Closed' };

export const list = {
  async render({ view, go }) {
    const box = h('div', null, loading('Loading your tickets…'));
    const status = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn', testid: 'ticket-submit' }, 'Send');
    const form = h('form', { class: 'card form', novalidate: true },
      h('h2', null, 'New ticket'),
      field({ label: 'Subject', name: 'subject', testid: 'ticket-subject', maxlength: 200, required: true }),
      field({ label: 'Message', name: 'message', testid: 'ticket-message', kind: 'textarea', rows: 5, maxlength: 10000, required: true }),
      h('div', { class: 'actions' }, submit, status));
    replace(view,
      h('h1', null, 'Support'),
      h('p', { class: 'lead' }, 'Questions about points, a tool, or your account: the team answers here.'),
      form,
      h('section', { 'aria-labelledby': 'tickets-h' }, h('h2', { id: 'tickets-h' }, 'Your tickets'), box));
    setTitle(view, 'Support');

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      status.textContent = '';
      const subject = form.subject.value.trim();
      const message = form.message.value.trim();
      if (!subject || !message) {
        status.textContent = 'Write a subject and a message.';
        (subject ? form.message : form.subject).focus();
        return;
      }
      await busy(submit, 'Sending…', async () => {
        try {
          const t = await drf('/api/support/tickets/', { method: 'POST', body: { subject, message } });
          go(`/support/${t.id}`);
        } catch (err) {
          status.textContent = showErrors(form, err);
        }
      });
    });

    try {
      const res = await drf('/api/support/tickets/', { query: { page_size: 50 } });
      replace(box, res.results.length
        ? h('ul', { class: 'list' }, res.results.map((t) => h('li', { testid: 'ticket-row' },
          h('a', { href: `#/support/${encodeURIComponent(t.id)}` }, t.subject),
          h('span', { class: 'badge' }, STATUS[t.status] || t.status),
          h('span', { class: 'muted' }, `updated ${when(t.updated_at)}`))))
        : empty('No tickets. We hope it stays that way.'));
    } catch (err) {
      replace(box, errorBox(`Your tickets could not be loaded: ${describeError(err)}`));
    }
  },
};

export const thread = {
  async render({ view, params }) {
    const id = params.id;
    const ticket = await drf(`/api/support/tickets/${encodeURIComponent(id)}/`);
    const msgs = h('ol', { class: 'thread', 'aria-live': 'polite' });
    const seen = new Set();
    const add = (m) => {
      if (seen.has(m.id) || m.internal) return;
      seen.add(m.id);
      msgs.append(h('li', { class: m.author_is_staff ? 'msg staff' : 'msg' },
        h('p', { class: 'meta' }, h('strong', null, m.author_is_staff ? `${m.author_name || 'Support'} (toolbase)` : 'You'), h('span', { class: 'muted' }, when(m.created_at))),
        h('p', { class: 'body' }, m.body)));
    };
    (ticket.messages || []).forEach(add);

    const status = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn', testid: 'ticket-reply-submit' }, 'Send');
    const closed = ticket.status === 'CLOSED';
    const form = h('form', { class: 'card form', novalidate: true },
      field({ label: 'Your answer', name: 'body', testid: 'ticket-reply', kind: 'textarea', rows: 4, maxlength: 10000 }),
      h('div', { class: 'actions' }, submit, status));
    const close = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Close this ticket');

    replace(view,
      h('p', { class: 'crumbs' }, h('a', { href: '#/support' }, '← Support')),
      h('h1', null, ticket.subject),
      h('p', { class: 'meta' }, h('span', { class: 'badge' }, STATUS[ticket.status] || ticket.status), h('span', { class: 'muted' }, `opened ${when(ticket.created_at)}`)),
      msgs.childNodes.length ? msgs : [msgs, empty('No messages yet.')],
      closed ? h('p', { class: 'notice' }, 'This ticket is closed. Open a new one if you need more help.') : [form, h('div', { class: 'actions' }, close)]);
    setTitle(view, ticket.subject);

    onReply(form, { id, button: submit, status, sent: add });
    close.addEventListener('click', () => busy(close, 'Closing…', async () => {
      try {
        await drf(`/api/support/tickets/${encodeURIComponent(id)}/`, { method: 'PATCH', body: { status: 'CLOSED' } });
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (err) {
        status.textContent = describeError(err);
      }
    }));

    // answers from support arrive live
    let unsub = null;
    try {
      unsub = await pb.collection('ticket_messages').subscribe('*', (e) => {
        if (e.action === 'create' && e.record.ticket === id) {
          add({ ...e.record, author_is_staff: e.record.author !== pb.authStore.record?.id, author_name: '' });
        }
      }, { filter: pb.filter('ticket = {:id}', { id }) });
    } catch { /* without realtime, a reload shows new answers */ }
    return () => { if (unsub) unsub().catch(() => {}); };
  },
};
