// Moderation: the PENDING tools with their details and documentation link, to
// approve (ACTIVE) or send back to DRAFT with a reason; live tools to suspend
// with a reason; suspended ones to reinstate. Status moves go through the DRF
// tool route (only admins may approve or suspend: the tools update rule). A
// move to draft or a suspension requires a reason, sent in the same call as
// the move (moderation_note: one write, audited with the move); the creator
// reads it on its tool's page, and it is cleared when the tool is approved or
// submitted again.
import { pb, drf, describeError } from '../../api.js';
import { h, replace, loading, empty, errorBox, setTitle, when, points, badge, categoryLabel } from '../../dom.js';
import { ask } from '../../dialog.js';
import { frame, refreshCounts } from './shell.js';

const BUILTIN = 'https://builtin.invalid/';

export async function render({ view }) {
  const pending = h('div', { 'aria-live': 'polite' }, loading('Loading the tools waiting for review…'));
  const live = h('div', null, loading());
  const suspended = h('div', null, loading());
  const search = h('input', { type: 'search', id: 'mod-search', placeholder: 'Name, description or tag', testid: 'moderation-search' });
  const cleanup = frame(view, 'moderation',
    h('h1', null, 'Moderation'),
    h('p', { class: 'lead' }, 'Approve a tool and it goes live in the catalog. Send it back to draft, or suspend a live one, with a reason: its creator reads the reason on its tool’s page until the tool is approved or submitted again.'),
    h('section', { 'aria-labelledby': 'pend-h' }, h('h2', { id: 'pend-h' }, 'Waiting for review'), pending),
    h('section', { 'aria-labelledby': 'live-h' }, h('h2', { id: 'live-h' }, 'Live tools'),
      h('div', { class: 'toolbar' }, h('div', { class: 'field grow' }, h('label', { for: 'mod-search' }, 'Search the live tools'), search)), live),
    h('section', { 'aria-labelledby': 'susp-h' }, h('h2', { id: 'susp-h' }, 'Suspended'), suspended));
  setTitle(view, 'Moderation');

  const reload = () => Promise.all([loadPending(), loadLive(), loadSuspended()]).then(refreshCounts);

  async function loadPending() {
    try {
      const res = await tools('status = "PENDING"', 'updated_at', 100);
      replace(pending, res.items.length
        ? h('ul', { class: 'stack' }, res.items.map((t) => h('li', null, toolCard(t, 'moderation-row', [
          action('Approve', 'moderation-approve', '', () => approve(t)),
          action('Send back to draft…', 'moderation-reject', 'btn-quiet', () => moveWithReason(t, 'DRAFT', 'Send back to draft', 'Send it back')),
        ]))))
        : empty('No tool is waiting for review.'));
    } catch (err) {
      replace(pending, errorBox(`The tools waiting for review could not be loaded: ${describeError(err)}`));
    }
  }

  let liveSeq = 0;
  async function loadLive() {
    const mine = ++liveSeq;
    try {
      const q = search.value.trim();
      const res = await tools(q ? pb.filter('status = "ACTIVE" && (name ~ {:q} || description ~ {:q})', { q }) : 'status = "ACTIVE"', '-total_uses', 20);
      if (mine !== liveSeq) return;
      replace(live, res.items.length
        ? [h('ul', { class: 'stack' }, res.items.map((t) => h('li', null, toolCard(t, 'moderation-live-row', [
          action('Suspend…', 'moderation-suspend', 'btn-danger', () => moveWithReason(t, 'SUSPENDED', 'Suspend this tool', 'Suspend it')),
        ])))), res.totalItems > res.items.length && h('p', { class: 'muted' }, `${res.items.length} of ${res.totalItems} live tools, most used first: search to find another.`)]
        : empty(search.value.trim() ? 'No live tool matches.' : 'No live tools.'));
    } catch (err) {
      if (mine === liveSeq) replace(live, errorBox(`The live tools could not be loaded: ${describeError(err)}`));
    }
  }

  async function loadSuspended() {
    try {
      const res = await tools('status = "SUSPENDED"', '-updated_at', 50);
      replace(suspended, res.items.length
        ? h('ul', { class: 'stack' }, res.items.map((t) => h('li', null, toolCard(t, 'moderation-suspended-row', [
          action('Reinstate', 'moderation-reinstate', 'btn-quiet', () => approve(t, true)),
        ]))))
        : empty('No suspended tools.'));
    } catch (err) {
      replace(suspended, errorBox(`The suspended tools could not be loaded: ${describeError(err)}`));
    }
  }

  let timer = 0;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(loadLive, 250); });

  async function approve(t, reinstate = false) {
    const done = await ask({
      title: reinstate ? `Reinstate “${t.name}”?` : `Approve “${t.name}”?`,
      message: `It goes live in the catalog at ${points(t.points_cost)} per use.`,
      ok: reinstate ? 'Reinstate' : 'Approve',
      run: () => drf(`/api/tools/tools/${encodeURIComponent(t.id)}/`, { method: 'PATCH', body: { status: 'ACTIVE' } }),
    });
    if (done) reload();
  }

  // one call: the status move and its reason (moderation_note) together
  async function moveWithReason(t, to, title, ok) {
    const done = await ask({
      title: `${title}: “${t.name}”`,
      message: to === 'SUSPENDED'
        ? 'It leaves the catalog at once and nobody but its creator can use it. Its creator reads your reason on its tool’s page.'
        : 'It goes back to its creator as a draft. Its creator reads your reason on its tool’s page and can submit it again.',
      fields: [{ label: 'Reason (shown to the creator)', name: 'reason', testid: 'moderation-reason', kind: 'textarea', rows: 4, maxlength: 5000, required: true }],
      ok,
      danger: to === 'SUSPENDED',
      run: ({ reason }) => drf(`/api/tools/tools/${encodeURIComponent(t.id)}/`, { method: 'PATCH', body: { status: to, moderation_note: reason } }),
    });
    if (done) reload();
  }

  await reload();
  return () => { clearTimeout(timer); cleanup(); };
}

// tools lists tools through the records API (every field a moderator needs,
// the creator expanded: the users view rule lets admins read it).
async function tools(filter, sort, perPage) {
  const res = await pb.collection('tools').getList(1, perPage, { filter, sort, expand: 'creator' });
  for (const t of res.items) {
    const u = t.expand?.creator || {};
    t.creator_email = u.email || '';
    t.creator_name = [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || '';
  }
  return res;
}

function action(label, testid, cls, fn) {
  const b = h('button', { type: 'button', class: `btn btn-small ${cls}`, testid }, label);
  b.addEventListener('click', fn);
  return b;
}

// toolCard: a tool as a moderator needs it, with its actions.
function toolCard(t, testid, actions) {
  const endpoint = t.api_endpoint
    ? (t.api_endpoint.startsWith(BUILTIN) ? `built-in tool “${t.api_endpoint.slice(BUILTIN.length)}”` : t.api_endpoint)
    : 'none (answers {"status": "accepted"})';
  return h('article', { class: 'card', testid },
    h('h3', { class: 'card-title' }, t.name),
    h('p', { class: 'meta' }, badge(t.status), h('span', { class: 'tag' }, categoryLabel(t.category)),
      h('span', { class: 'cost' }, `${points(t.points_cost)} per use`), h('span', null, `version ${t.version}`),
      h('span', { class: 'muted' }, `${t.total_uses ?? 0} uses · updated ${when(t.updated_at)}`)),
    h('p', { class: 'muted' }, 'By ', h('a', { href: `#/admin/users/${encodeURIComponent(t.creator)}` }, t.creator_name || t.creator_email), ` (${t.creator_email})`),
    t.description ? h('p', { class: 'description' }, t.description) : h('p', { class: 'muted' }, 'No description.'),
    h('dl', { class: 'facts small' },
      h('dt', null, 'Endpoint'), h('dd', null, endpoint),
      h('dt', null, 'Documentation'), h('dd', null, t.api_documentation
        ? h('a', { href: t.api_documentation, target: '_blank', rel: 'noopener noreferrer nofollow' }, t.api_documentation, ' ↗')
        : 'none'),
      (t.tags || []).length > 0 && [h('dt', null, 'Tags'), h('dd', null, t.tags.join(', '))]),
    h('div', { class: 'actions' }, actions, h('a', { class: 'btn btn-quiet btn-small', href: `#/tools/${encodeURIComponent(t.id)}` }, 'Try it (free)')));
}
