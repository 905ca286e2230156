// The web app's shell: header (navigation, live balance, account), a hash
// router that loads each page's module on demand, and the footer's site pages.
// Routes carry ids and filters only, never a token.
import { pb, describeError } from './api.js';
import { h, replace, loading, errorBox, setTitle } from './dom.js';
import * as session from './session.js';
import * as catalog from './pages/catalog.js';

const main = document.getElementById('main');

// path pattern → [page module loader, who may open it]
const routes = [
  ['/', () => Promise.resolve(catalog), 'user'],
  ['/catalog', () => Promise.resolve(catalog), 'user'],
  ['/signin', () => import('./pages/auth.js').then((m) => m.signin), 'guest'],
  ['/register', () => import('./pages/auth.js').then((m) => m.register), 'guest'],
  ['/reset', () => import('./pages/auth.js').then((m) => m.reset), 'any'],
  ['/tools/:id', () => import('./pages/tool.js'), 'user'],
  ['/usage', () => import('./pages/usage.js'), 'user'],
  ['/ledger', () => import('./pages/ledger.js'), 'user'],
  ['/keys', () => import('./pages/keys.js'), 'user'],
  ['/support', () => import('./pages/support.js').then((m) => m.list), 'user'],
  ['/support/:id', () => import('./pages/support.js').then((m) => m.thread), 'user'],
  ['/creator', () => import('./pages/creator.js'), 'creator'],
  ['/creator/new', () => import('./pages/toolform.js'), 'creator'],
  ['/creator/tools/:id', () => import('./pages/creatortool.js'), 'creator'],
  ['/creator/tools/:id/edit', () => import('./pages/toolform.js'), 'creator'],
  ['/pages/:slug', () => import('./pages/site.js'), 'any'],
  // the admin console (pages/admin/): ADMIN role only
  ['/admin', () => import('./pages/admin/overview.js'), 'admin'],
  ['/admin/moderation', () => import('./pages/admin/moderation.js'), 'admin'],
  ['/admin/users', () => import('./pages/admin/users.js').then((m) => m.list), 'admin'],
  ['/admin/users/:id', () => import('./pages/admin/users.js').then((m) => m.detail), 'admin'],
  ['/admin/payouts', () => import('./pages/admin/payouts.js'), 'admin'],
  ['/admin/refunds', () => import('./pages/admin/refunds.js'), 'admin'],
  ['/admin/support', () => import('./pages/admin/support.js').then((m) => m.inbox), 'admin'],
  ['/admin/support/:id', () => import('./pages/admin/support.js').then((m) => m.thread), 'admin'],
  ['/admin/pages', () => import('./pages/admin/pages.js').then((m) => m.list), 'admin'],
  ['/admin/pages/new', () => import('./pages/admin/pages.js').then((m) => m.editor), 'admin'],
  ['/admin/pages/:slug', () => import('./pages/admin/pages.js').then((m) => m.editor), 'admin'],
  ['/admin/audit', () => import('./pages/admin/audit.js'), 'admin'],
];

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, load, who] of routes) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { load, who, params };
    }
  }
  return null;
}

// location: "#/path?query" → {path, query}
export function here() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, qs = ''] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(qs)) };
}

// go navigates to an app path with an optional query object.
export function go(path, query) {
  const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString() : '';
  location.hash = `#${path}${qs ? `?${qs}` : ''}`;
}

// setQuery rewrites the current route's query without a new history entry or a re-render.
export function setQuery(query) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString();
  history.replaceState(null, '', `#${here().path}${qs ? `?${qs}` : ''}`);
}

let cleanup = null;
let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup never blocks the next page */ }
    cleanup = null;
  }
  // each render draws into a container of its own: a slower render that a
  // newer one replaced goes on writing into a detached element, never over
  // the page now shown (nor its title: setTitle skips detached views)
  const view = document.createElement('div');
  main.replaceChildren(view);
  const { path, query } = here();
  const route = match(path);
  markNav(path);
  if (!route) {
    replace(view, h('h1', null, 'Page not found'), h('p', null, 'Nothing lives at this address. ', h('a', { href: '#/' }, 'Go to the catalog')));
    setTitle(view, 'Not found');
    return;
  }
  const me = session.user();
  if (route.who !== 'any' && route.who !== 'guest' && !me) {
    go('/signin', { next: path === '/' ? '' : path });
    return;
  }
  if (route.who === 'guest' && me) {
    go(query.next || '/catalog');
    return;
  }
  if (route.who === 'creator' && !session.isCreator()) {
    replace(view, h('h1', null, 'For tool creators'),
      h('p', null, 'This part of toolbase is for tool creators. Ask an admin to make your account a creator account.'));
    setTitle(view, 'For tool creators');
    return;
  }
  if (route.who === 'admin' && session.role() !== 'ADMIN') {
    // nothing of the console is loaded or asked for (the API would refuse it anyway)
    replace(view, h('h1', null, 'For admins'),
      h('p', null, 'This part of toolbase is for the platform’s admins. ', h('a', { href: '#/catalog' }, 'Go to the catalog')));
    setTitle(view, 'For admins');
    return;
  }
  replace(view, loading());
  try {
    const page = await route.load();
    if (seq !== renderSeq) return;
    const result = await page.render({ view, params: route.params, query, go, setQuery });
    if (seq !== renderSeq) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
  } catch (err) {
    if (seq !== renderSeq) return;
    replace(view, h('h1', null, 'This page could not be shown'), errorBox(describeError(err)),
      h('p', null, h('a', { href: location.hash || '#/' }, 'Try again')));
    setTitle(view, 'Error');
    console.error(err);
  }
}

// header: navigation for the user's role, the live balance, the account menu
const nav = document.getElementById('nav');
const account = document.getElementById('account');

const LINKS = [
  ['nav-catalog', '#/catalog', 'Catalog'],
  ['nav-usage', '#/usage', 'Usage'],
  ['nav-ledger', '#/ledger', 'Points'],
  ['nav-keys', '#/keys', 'API keys'],
  ['nav-support', '#/support', 'Support'],
];

let headerFor = null;

function renderHeader(me) {
  const key = me ? `${me.id}/${me.role}/${me.username}` : '';
  if (me && key === headerFor) {
    // a balance change: update the number in place (focus stays where it is)
    account.querySelector('[data-testid="points-balance"]').textContent = String(me.points_balance ?? 0);
    return;
  }
  headerFor = key;
  if (!me) {
    replace(nav);
    replace(account,
      h('a', { href: '#/signin', class: 'btn btn-quiet' }, 'Sign in'),
      h('a', { href: '#/register', class: 'btn' }, 'Register'));
    return;
  }
  const links = LINKS.map(([testid, href, label]) => h('a', { href, testid }, label));
  if (me.role === 'TOOL_CREATOR') links.push(h('a', { href: '#/creator', testid: 'nav-creator' }, 'Creator'));
  if (me.role === 'ADMIN') links.push(h('a', { href: '#/admin', testid: 'nav-admin' }, 'Admin'));
  replace(nav, links);
  replace(account,
    h('span', { class: 'balance', title: 'Your points balance, updated live', 'aria-live': 'polite' },
      h('span', { testid: 'points-balance' }, String(me.points_balance ?? 0)), ' points'),
    h('span', { class: 'who' }, me.username || me.email),
    h('button', { type: 'button', class: 'btn btn-quiet', testid: 'logout', onclick: () => session.signOut() }, 'Sign out'));
  markNav(here().path);
}

function markNav(path) {
  for (const a of nav.querySelectorAll('a')) {
    const target = a.getAttribute('href').slice(1);
    const on = path === target || path.startsWith(`${target}/`) || (target === '/catalog' && (path === '/' || path.startsWith('/tools/')));
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// footer: published site pages (public, no sign-in needed)
async function renderFooter() {
  const box = document.getElementById('site-pages');
  try {
    const pages = await pb.collection('site_pages').getList(1, 20, {
      filter: 'published = true && kind = "PAGE"', sort: 'title', fields: 'slug,title',
    });
    replace(box, pages.items.map((p) => h('a', { href: `#/pages/${encodeURIComponent(p.slug)}` }, p.title)));
  } catch {
    replace(box); // the footer's links are a convenience; the rest still works
  }
}

let lastUserId;
session.onUser((me) => {
  renderHeader(me);
  // signing in or out changes what every page shows
  if ((me?.id || null) !== lastUserId) {
    const first = lastUserId === undefined;
    lastUserId = me?.id || null;
    if (!first) render();
  }
});

window.addEventListener('hashchange', render);
// an admin published, unpublished or renamed a page
window.addEventListener('toolbase:site-pages', renderFooter);
// the skip link moves the focus to the content (its #main must not become a route)
document.querySelector('.skip').addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});
await session.start();
render();
renderFooter();
