// The app is one more client of toolbase's public API: PocketBase's JS SDK
// for auth, records and realtime, and the DRF routes (through the SDK's
// send, with the same token) where they are the capability. The token lives in
// the SDK's auth store (localStorage) and travels only in headers.
import PocketBase from '/vendor/pocketbase/pocketbase.es.mjs';

export const pb = new PocketBase('/');
// pages fire parallel requests on one collection; none should cancel another
pb.autoCancellation(false);

// drf calls a DRF route (path under /api/, with its trailing slash).
export function drf(path, { method = 'GET', body, query, headers } = {}) {
  const h = { ...(headers || {}) };
  if (pb.authStore.token) h.Authorization = `Bearer ${pb.authStore.token}`;
  return pb.send(path, { method, body, query, headers: h, requestKey: null });
}

// describeError says in words what went wrong with a request.
export function describeError(err) {
  if (!err) return '';
  if (err.isAbort) return 'The request was cancelled.';
  const status = err.status ?? 0;
  const data = err.response || err.data || {};
  if (status === 0) return 'Cannot reach toolbase. Check your connection and try again.';
  // DRF: {"detail": "..."} or {"non_field_errors": [...]}; PocketBase: {"message": "..."}
  if (typeof data.detail === 'string') return data.detail;
  if (Array.isArray(data.non_field_errors)) return data.non_field_errors.join(' ');
  const fields = fieldErrors(err);
  const names = Object.keys(fields);
  if (names.length) return names.map((n) => `${n}: ${fields[n]}`).join(' ');
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'Not found: it may have been removed, or you cannot see it.';
  if (status === 429) return 'Too many attempts. Wait a little and try again.';
  if (typeof data.message === 'string' && data.message) return data.message;
  return `Something went wrong (HTTP ${status}). Try again.`;
}

// fieldErrors maps field names to messages, from DRF's {"field": ["msg"]}
// (nested objects flattened as "profile.website") and PocketBase's
// {"data": {"field": {"message"}}}.
export function fieldErrors(err) {
  const data = err?.response || err?.data || {};
  const out = {};
  if (data.data && typeof data.data === 'object' && typeof data.message === 'string') {
    for (const [k, v] of Object.entries(data.data)) if (v && v.message) out[k] = v.message;
    return out;
  }
  const walk = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj)) {
      if (['detail', 'non_field_errors', 'required', 'available', 'code'].includes(k)) continue;
      if (Array.isArray(v)) out[prefix + k] = v.map(String).join(' ');
      else if (v && typeof v === 'object') walk(v, `${prefix}${k}.`);
    }
  };
  if (data && typeof data === 'object') walk(data, '');
  return out;
}

// showErrors puts each field's message under its field in form (elements
// with data-error-for), marks the fields invalid, and returns the message for
// the rest (to show next to the submit button), or "".
export function showErrors(form, err) {
  clearErrors(form);
  const fields = fieldErrors(err);
  const rest = [];
  for (const [name, msg] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) {
      slot.textContent = msg;
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input) input.setAttribute('aria-invalid', 'true');
    } else rest.push(`${name}: ${msg}`);
  }
  const data = err?.response || err?.data || {};
  if (typeof data.detail === 'string' || Array.isArray(data.non_field_errors) || !Object.keys(fields).length) {
    rest.unshift(describeError(err));
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return rest.filter(Boolean).join(' ');
}

export function clearErrors(form) {
  form.querySelectorAll('[data-error-for]').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// busy disables a button while a promise runs, with a label saying so.
export async function busy(button, label, fn) {
  const old = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.textContent = old;
  }
}
