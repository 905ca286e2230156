// Users: search by email or name, filter by role (DRF users list); a user's
// page with balances, role change, points granted or deducted with a
// mandatory reason (the confirmation shows the new balance; a refusal is
// shown in the API's words next to the amount), and the user's ledger, usage
// and API keys.
import { pb, drf, describeError, showErrors, clearErrors } from '../../api.js';
import { h, replace, labelled, loading, empty, errorBox, field, setTitle, when, points } from '../../dom.js';
import { ask } from '../../dialog.js';
import * as session from '../../session.js';
import { frame } from './shell.js';

export const ROLES = [['CLIENT', 'Client'], ['TOOL_CREATOR', 'Tool creator'], ['ADMIN', 'Admin']];
const roleLabel = (r) => (ROLES.find(([v]) => v === r) || [r, r])[1];
const fullName = (u) => [u.first_name, u.last_name].filter(Boolean).join(' ');
const PER_PAGE = 25;

export const list = {
  async render({ view, query, setQuery }) {
    let page = Math.max(1, parseInt(query.page, 10) || 1);
    const search = h('input', { type: 'search', id: 'user-search', testid: 'user-search', value: query.search || '', placeholder: 'Email, username or name', autocomplete: 'off' });
    const role = h('select', { id: 'user-role', testid: 'user-role', value: query.role || '' },
      h('option', { value: '' }, 'All roles'), ROLES.map(([v, l]) => h('option', { value: v }, l)));
    const box = h('div', { 'aria-live': 'polite' }, loading('Loading users…'));
    const pager = h('nav', { class: 'pager', 'aria-label': 'User pages' });
    role.value = query.role || '';
    const cleanup = frame(view, 'users',
      h('h1', null, 'Users'),
      h('form', { class: 'toolbar', role: 'search', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); page = 1; load(); } },
        h('div', { class: 'field grow' }, h('label', { for: 'user-search' }, 'Search'), search),
        h('div', { class: 'field' }, h('label', { for: 'user-role' }, 'Role'), role)),
      box, pager);
    setTitle(view, 'Users');

    let seq = 0;
    async function load() {
      const mine = ++seq;
      const q = { search: search.value.trim(), role: role.value, page: page > 1 ? page : '' };
      setQuery(q);
      box.setAttribute('aria-busy', 'true');
      try {
        const res = await drf('/api/users/users/', { query: { ...q, page, page_size: PER_PAGE } });
        if (mine !== seq) return;
        replace(box, res.results.length
          ? labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Users'),
            h('thead', null, h('tr', null, ['User', 'Email', 'Role', 'Joined'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.results.map((u) => h('tr', { testid: 'user-row' },
              h('td', null, h('a', { href: `#/admin/users/${encodeURIComponent(u.id)}` }, fullName(u) || u.username)),
              h('td', null, u.email),
              h('td', null, roleLabel(u.role)),
              h('td', null, when(u.created_at)))))))
          : empty('No user matches.'));
        const pages = Math.max(1, Math.ceil(res.count / PER_PAGE));
        replace(pager, pages > 1 && [
          h('button', { type: 'button', class: 'btn btn-quiet', disabled: page <= 1, onclick: () => { page--; load(); } }, '← Previous'),
          h('span', null, `Page ${page} of ${pages} (${res.count} users)`),
          h('button', { type: 'button', class: 'btn btn-quiet', disabled: page >= pages, onclick: () => { page++; load(); } }, 'Next →')]);
      } catch (err) {
        if (mine === seq) replace(box, errorBox(`The users could not be loaded: ${describeError(err)}`));
      } finally {
        box.removeAttribute('aria-busy');
      }
    }
    let timer = 0;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { page = 1; load(); }, 250); });
    role.addEventListener('change', () => { page = 1; load(); });
    await load();
    return () => { clearTimeout(timer); cleanup(); };
  },
};

const KIND = {
  GRANT: 'Granted', DEDUCT: 'Deducted', USAGE: 'Tool use', EARNING: 'Earning',
  REFUND: 'Refund', PAYOUT: 'Payout', ADJUSTMENT: 'Adjustment',
};

export const detail = {
  async render({ view, params }) {
    const id = params.id;
    let user = await drf(`/api/users/users/${encodeURIComponent(id)}/`);
    const self = id === session.user()?.id;
    const figures = h('dl', { class: 'figures', 'aria-live': 'polite' });
    const ledger = h('div', null, loading('Loading the ledger…'));
    const usage = h('div', null, loading('Loading the usage…'));
    const keys = h('div', null, loading('Loading the API keys…'));
    const heading = h('h1', null);
    const roleBox = h('div');

    const showUser = () => {
      heading.textContent = fullName(user) || user.username;
      replace(figures,
        h('div', null, h('dt', null, 'Points'), h('dd', { testid: 'user-points' }, String(user.points_balance))),
        h('div', null, h('dt', null, 'Revenue earned'), h('dd', null, String(user.total_revenue))),
        h('div', null, h('dt', null, 'Paid out'), h('dd', null, String(user.total_payouts))),
        h('div', null, h('dt', null, 'Role'), h('dd', { testid: 'user-role-now' }, roleLabel(user.role))));
    };
    showUser();

    const cleanup = frame(view, 'users',
      h('p', { class: 'crumbs' }, h('a', { href: '#/admin/users' }, '← Users')),
      heading,
      h('p', { class: 'meta' }, h('span', null, user.email), h('span', { class: 'muted' }, `@${user.username}`), h('span', { class: 'muted' }, `joined ${when(user.created_at)}`),
        user.company_name && h('span', null, user.company_name)),
      h('section', { class: 'card', 'aria-labelledby': 'bal-h' }, h('h2', { id: 'bal-h' }, 'Balances'), figures, pointsForm()),
      h('section', { class: 'card', 'aria-labelledby': 'role-h' }, h('h2', { id: 'role-h' }, 'Role'), roleBox),
      h('section', { 'aria-labelledby': 'led-h' }, h('h2', { id: 'led-h' }, 'Ledger'), ledger),
      h('section', { 'aria-labelledby': 'use-h' }, h('h2', { id: 'use-h' }, 'Recent usage'), usage),
      h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'API keys'), keys));
    setTitle(view, heading.textContent);

    // role: admins change anyone's but their own (the API refuses that)
    function showRole() {
      if (self) {
        replace(roleBox, h('p', { class: 'muted' }, `${roleLabel(user.role)}. Admins cannot change their own role: another admin can.`));
        return;
      }
      const select = h('select', { id: 'role-select', name: 'role', testid: 'user-role-select' }, ROLES.map(([v, l]) => h('option', { value: v }, l)));
      select.value = user.role;
      const err = h('p', { class: 'form-error', role: 'alert' });
      const button = h('button', { type: 'submit', class: 'btn', testid: 'user-role-save' }, 'Change role');
      const form = h('form', { class: 'toolbar', novalidate: true },
        h('div', { class: 'field' }, h('label', { for: 'role-select' }, 'Role'), select), h('div', { class: 'field' }, button), err);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        err.textContent = '';
        if (select.value === user.role) {
          err.textContent = `${user.email} is already a ${roleLabel(user.role).toLowerCase()}.`;
          return;
        }
        const done = await ask({
          title: `Make ${user.email} a ${roleLabel(select.value).toLowerCase()}?`,
          message: select.value === 'ADMIN' ? 'Admins run the whole platform: users, points, payouts, refunds, content.' : `From ${roleLabel(user.role).toLowerCase()} to ${roleLabel(select.value).toLowerCase()}. The change is audited.`,
          ok: 'Change role',
          run: () => drf(`/api/users/users/${encodeURIComponent(id)}/change_role/`, { method: 'POST', body: { role: select.value } }),
        });
        if (done) {
          user = await drf(`/api/users/users/${encodeURIComponent(id)}/`);
          showUser();
          showRole();
        }
      });
      replace(roleBox, form);
    }
    showRole();

    // points: an amount and a mandatory reason; add or deduct after a confirmation
    function pointsForm() {
      const status = h('p', { class: 'form-error', role: 'alert' });
      const ok = h('p', { class: 'ok', role: 'status' });
      const add = h('button', { type: 'button', class: 'btn', testid: 'points-add' }, 'Add points');
      const deduct = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'points-deduct' }, 'Deduct points');
      const form = h('form', { class: 'form', novalidate: true },
        h('div', { class: 'row2' },
          field({ label: 'Points', name: 'points', testid: 'points-amount', type: 'number', min: 1, step: 1, inputmode: 'numeric' }),
          field({ label: 'Reason (required, kept in the ledger and the audit log)', name: 'reason', testid: 'points-reason', maxlength: 500 })),
        h('div', { class: 'actions' }, add, deduct), status, ok);
      form.addEventListener('submit', (ev) => ev.preventDefault());
      const go = async (sign) => {
        clearErrors(form);
        status.textContent = '';
        ok.textContent = '';
        const n = Number(form.points.value);
        const reason = form.reason.value.trim();
        const bad = (name, msg) => {
          form.querySelector(`[data-error-for="${name}"]`).textContent = msg;
          form.elements[name].setAttribute('aria-invalid', 'true');
          form.elements[name].focus();
        };
        if (!Number.isInteger(n) || n < 1) return bad('points', 'Enter a whole number of points, 1 or more.');
        if (!reason) return bad('reason', 'Say why: the reason is recorded with the change.');
        const after = user.points_balance + sign * n;
        const verb = sign > 0 ? 'Grant' : 'Deduct';
        const res = await ask({
          title: `${verb} ${points(n)} ${sign > 0 ? 'to' : 'from'} ${user.email}?`,
          message: [`Balance: ${user.points_balance} → ${after} points.`, `Reason: “${reason}”.`,
            after < 0 && h('p', { class: 'warning' }, 'That is below zero: toolbase will refuse it.')],
          ok: `${verb} ${points(n)}`,
          danger: sign < 0,
          closeOnError: true,
          run: () => drf(`/api/users/users/${encodeURIComponent(id)}/${sign > 0 ? 'add_points' : 'deduct_points'}/`, { method: 'POST', body: { points: n, reason } }),
        });
        if (!res) return;
        if (res.error) {
          status.textContent = showErrors(form, res.error);
          if (status.textContent) form.points.setAttribute('aria-invalid', 'true');
          return;
        }
        user = { ...user, ...res };
        showUser();
        ok.textContent = `${sign > 0 ? 'Granted' : 'Deducted'} ${points(n)}: the balance is now ${user.points_balance}.`;
        form.points.value = '';
        form.reason.value = '';
        loadLedger();
      };
      add.addEventListener('click', () => go(1));
      deduct.addEventListener('click', () => go(-1));
      return form;
    }

    async function loadLedger() {
      try {
        const res = await drf(`/api/users/users/${encodeURIComponent(id)}/transactions/`, { query: { page_size: 25 } });
        replace(ledger, res.results.length
          ? [labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Ledger'),
            h('thead', null, h('tr', null, ['When', 'What', 'Account', 'Amount', 'Balance after', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.results.map((r) => h('tr', { testid: 'admin-ledger-row' },
              h('td', null, when(r.created_at)), h('td', null, KIND[r.kind] || r.kind), h('td', null, r.account),
              h('td', { class: `num ${r.amount < 0 ? 'neg' : 'pos'}` }, r.amount > 0 ? `+${r.amount}` : String(r.amount)),
              h('td', { class: 'num' }, String(r.balance_after)), h('td', null, r.note)))))),
          res.count > res.results.length && h('p', { class: 'muted' }, `The newest ${res.results.length} of ${res.count} rows.`)]
          : empty('No ledger rows.'));
      } catch (err) {
        replace(ledger, errorBox(`The ledger could not be loaded: ${describeError(err)}`));
      }
    }

    async function loadUsage() {
      try {
        const res = await pb.collection('tool_usage').getList(1, 20, { filter: pb.filter('user = {:u}', { u: id }), sort: '-created_at', expand: 'tool' });
        replace(usage, res.items.length
          ? [labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Usage'),
            h('thead', null, h('tr', null, ['When', 'Tool', 'Points', 'Result'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.items.map((u) => h('tr', null,
              h('td', null, when(u.created_at)), h('td', null, u.expand?.tool?.name || u.tool),
              h('td', { class: 'num' }, String(u.points_spent)),
              h('td', null, u.state === 'FAILED' ? `Failed: ${u.error_message}` : u.refunded_at ? 'Refunded' : u.state === 'PENDING' ? 'Running' : 'OK')))))),
          res.totalItems > res.items.length && h('p', { class: 'muted' }, `The newest ${res.items.length} of ${res.totalItems} uses.`)]
          : empty('No uses.'));
      } catch (err) {
        replace(usage, errorBox(`The usage could not be loaded: ${describeError(err)}`));
      }
    }

    async function loadKeys() {
      try {
        const res = await pb.collection('tool_api_keys').getList(1, 50, { filter: pb.filter('user = {:u}', { u: id }), sort: '-created_at', expand: 'tool' });
        replace(keys, res.items.length
          ? labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'API keys'),
            h('thead', null, h('tr', null, ['Name', 'Key', 'Scope', 'Active', 'Today', 'This month', 'Last used'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.items.map((k) => h('tr', null,
              h('td', null, k.key_name), h('td', null, h('code', null, `${k.key_prefix}…`)),
              h('td', null, k.expand?.tool?.name || (k.tool ? k.tool : 'all tools')),
              h('td', null, k.is_active ? 'yes' : 'no'),
              h('td', { class: 'num' }, `${k.daily_usage} / ${k.daily_limit}`),
              h('td', { class: 'num' }, `${k.monthly_usage} / ${k.monthly_limit}`),
              h('td', null, k.last_used ? when(k.last_used) : 'never'))))))
          : empty('No API keys.'));
      } catch (err) {
        replace(keys, errorBox(`The API keys could not be loaded: ${describeError(err)}`));
      }
    }

    await Promise.all([loadLedger(), loadUsage(), loadKeys()]);
    return cleanup;
  },
};
