// The signed-in user: PocketBase's auth store (the SDK keeps it in
// localStorage, so a session survives a reload), refreshed before the token
// expires, and the user's record kept live through a realtime subscription to
// users/<id>: every balance change publishes an update of it.
import { getTokenPayload } from '/vendor/pocketbase/pocketbase.es.mjs';
import { pb } from './api.js';

const listeners = new Set();
let refreshTimer = 0;
let unsubscribe = null;

export const user = () => (pb.authStore.isValid ? pb.authStore.record : null);
export const role = () => user()?.role || '';
export const isCreator = () => role() === 'TOOL_CREATOR';

// onUser calls fn with the user (or null) now and whenever it changes.
export function onUser(fn) {
  listeners.add(fn);
  fn(user());
  return () => listeners.delete(fn);
}

pb.authStore.onChange(() => {
  for (const fn of listeners) fn(user());
});

// start restores a session: a stored token still valid is refreshed (it
// also reloads the record), then kept fresh and live.
export async function start() {
  if (!pb.authStore.token) return;
  if (!pb.authStore.isValid) {
    pb.authStore.clear();
    return;
  }
  // the stored record is shown at once; the refresh runs in the background
  refresh().catch(() => {});
  await live();
}

export async function signIn(email, password) {
  await pb.collection('users').authWithPassword(email, password);
  schedule();
  await live();
}

export async function signOut() {
  clearTimeout(refreshTimer);
  if (unsubscribe) {
    const u = unsubscribe;
    unsubscribe = null;
    await u().catch(() => {});
  }
  pb.realtime.unsubscribe().catch(() => {});
  pb.authStore.clear();
}

async function refresh() {
  try {
    await pb.collection('users').authRefresh();
    schedule();
  } catch (err) {
    // 401/403/404: the session ended (password changed, account removed)
    if (err.status >= 400 && err.status < 500) {
      await signOut();
      return;
    }
    // offline: try again in a minute
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh().catch(() => {}), 60_000);
  }
}

// schedule refreshes the token when 80% of its life has passed.
function schedule() {
  clearTimeout(refreshTimer);
  const exp = getTokenPayload(pb.authStore.token).exp;
  if (!exp) return;
  const left = exp * 1000 - Date.now();
  refreshTimer = setTimeout(() => refresh().catch(() => {}), Math.max(5_000, left * 0.8));
}

// live subscribes to the user's own record; on (re)connection it reloads the
// record, in case an event was missed while disconnected.
async function live() {
  const me = user();
  if (!me || unsubscribe) return;
  try {
    unsubscribe = await pb.collection('users').subscribe(me.id, (e) => {
      if (e.action !== 'update' || !e.record || e.record.id !== user()?.id) return;
      apply(e.record);
    });
    await pb.realtime.subscribe('PB_CONNECT', () => {
      if (user()) pb.collection('users').getOne(user().id).then(apply).catch(() => {});
    });
  } catch {
    unsubscribe = null; // realtime unavailable: the balance updates on the next page load
  }
}

// apply keeps the newest version of the record (events may arrive out of order).
function apply(record) {
  const current = user();
  if (!current || record.id !== current.id) return;
  if (current.updated_at && record.updated_at && record.updated_at < current.updated_at) return;
  pb.authStore.save(pb.authStore.token, { ...current, ...record });
}

// reload fetches the user's record (after something the app knows changed it).
export async function reload() {
  if (user()) apply(await pb.collection('users').getOne(user().id));
}
