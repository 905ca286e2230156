// API keys (the DRF key routes): create (the secret shown once), the masked
// list with quota bars, regenerate with a grace period, deactivate, delete.
// A secret lives only in the DOM of this page until the user leaves it.
import { drf, describeError, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, loading, empty, errorBox, field, setTitle, when } from '../dom.js';

export async function render({ view }) {
  const secretBox = h('div', { 'aria-live': 'polite' });
  const list = h('div', null, loading('Loading your keys…'));
  const status = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'apikey-create' }, 'Create the key');
  const form = h('form', { class: 'card form', novalidate: true },
    h('h2', null, 'New key'),
    field({ label: 'Name', name: 'key_name', testid: 'apikey-name', maxlength: 100, required: true, hint: 'What uses it, e.g. “nightly batch job”.' }),
    h('div', { class: 'row2' },
      field({ label: 'Uses per day', name: 'daily_limit', type: 'number', min: 0, value: '1000', inputmode: 'numeric' }),
      field({ label: 'Uses per month', name: 'monthly_limit', type: 'number', min: 0, value: '30000', inputmode: 'numeric' })),
    h('div', { class: 'actions' }, submit, status));

  replace(view,
    h('h1', null, 'API keys'),
    h('p', { class: 'lead' }, 'A key lets a script use tools as you, without your password: send it in the ',
      h('code', null, 'X-API-Key'), ' header. Keys never change your account or manage other keys.'),
    secretBox, form,
    h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Your keys'), list));
  setTitle(view, 'API keys');

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    status.textContent = '';
    const body = {
      key_name: form.key_name.value.trim(),
      daily_limit: Number(form.daily_limit.value),
      monthly_limit: Number(form.monthly_limit.value),
    };
    if (!body.key_name) {
      form.querySelector('[data-error-for="key_name"]').textContent = 'Give the key a name.';
      form.key_name.setAttribute('aria-invalid', 'true');
      form.key_name.focus();
      return;
    }
    await busy(submit, 'Creating…', async () => {
      try {
        const key = await drf('/api/tools/api-keys/', { method: 'POST', body });
        showSecret(secretBox, key, 'Your new key');
        form.key_name.value = '';
        await load();
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });

  async function load() {
    try {
      const res = await drf('/api/tools/api-keys/', { query: { page_size: 100 } });
      replace(list, res.results.length
        ? h('ul', { class: 'keys' }, res.results.map((k) => keyRow(k, secretBox, load)))
        : empty('No keys yet.'));
    } catch (err) {
      replace(list, errorBox(`Your keys could not be loaded: ${describeError(err)}`));
    }
  }
  await load();
  // leaving the page drops any secret still shown
  return () => secretBox.replaceChildren();
}

function showSecret(box, key, title) {
  const secret = h('code', { class: 'secret', testid: 'apikey-secret' }, key.api_key);
  const copied = h('span', { role: 'status', class: 'ok' });
  const copy = h('button', { type: 'button', class: 'btn', testid: 'apikey-copy' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(key.api_key);
      copied.textContent = 'Copied.';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(secret);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copied.textContent = 'Select-all done: press Ctrl+C (⌘C) to copy.';
    }
  });
  const dismiss = h('button', { type: 'button', class: 'btn btn-quiet' }, 'I have stored it');
  dismiss.addEventListener('click', () => box.replaceChildren());
  replace(box, h('div', { class: 'card secret-box' },
    h('h2', null, `${title}: “${key.key_name}”`),
    h('p', { class: 'warning' }, 'Copy this key now and keep it somewhere safe. It is shown this once: toolbase stores only a fingerprint of it, and it will not appear again, not even after a reload.'),
    h('p', null, secret),
    h('div', { class: 'actions' }, copy, dismiss, copied)));
  copy.focus();
}

function quota(label, used, limit) {
  return h('div', { class: 'quota' },
    h('span', null, `${label}: ${used} / ${limit}`),
    h('progress', { max: String(Math.max(limit, 1)), value: String(Math.min(used, limit)), 'aria-label': `${label}: ${used} of ${limit} uses` }));
}

function keyRow(k, secretBox, reload) {
  const err = h('p', { class: 'form-error', role: 'alert' });
  const actions = h('div', { class: 'actions' });
  const expired = k.expires_at && new Date(k.expires_at) < new Date();
  const state = !k.is_active ? 'Inactive' : expired ? 'Expired' : 'Active';

  const act = (button, label, fn) => button.addEventListener('click', () => busy(button, label, async () => {
    err.textContent = '';
    try {
      await fn();
    } catch (e) {
      err.textContent = describeError(e);
    }
  }));

  const regen = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Regenerate…');
  regen.addEventListener('click', () => {
    const grace = h('select', { id: `grace-${k.id}` },
      h('option', { value: '0' }, 'The old secret stops now'),
      h('option', { value: '3600' }, 'The old secret works 1 more hour'),
      h('option', { value: '86400' }, 'The old secret works 24 more hours'));
    const go = h('button', { type: 'button', class: 'btn btn-small' }, 'Regenerate');
    const cancel = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Cancel');
    cancel.addEventListener('click', () => reload());
    act(go, 'Regenerating…', async () => {
      const res = await drf(`/api/tools/api-keys/${encodeURIComponent(k.id)}/regenerate/`, { method: 'POST', body: { grace_seconds: Number(grace.value) } });
      showSecret(secretBox, res, 'The new secret of');
      await reload();
    });
    replace(actions, h('label', { for: `grace-${k.id}` }, 'Grace period'), grace, go, cancel);
    grace.focus();
  });

  const toggle = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, k.is_active ? 'Deactivate' : 'Activate');
  act(toggle, 'Saving…', async () => {
    await drf(`/api/tools/api-keys/${encodeURIComponent(k.id)}/`, { method: 'PATCH', body: { is_active: !k.is_active } });
    await reload();
  });

  const del = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, 'Delete…');
  del.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, 'Delete it');
    const no = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Keep it');
    no.addEventListener('click', () => reload());
    act(yes, 'Deleting…', async () => {
      await drf(`/api/tools/api-keys/${encodeURIComponent(k.id)}/`, { method: 'DELETE' });
      await reload();
    });
    replace(actions, h('span', null, 'Scripts using this key stop at once.'), yes, no);
    no.focus();
  });

  actions.append(regen, toggle, del);
  return h('li', { class: 'card key', testid: 'apikey-row' },
    h('p', { class: 'meta' }, h('strong', null, k.key_name), h('code', null, k.api_key), h('span', { class: `badge badge-${state.toLowerCase()}` }, state)),
    h('p', { class: 'muted' }, k.tool_name ? `Only for ${k.tool_name}. ` : 'For every tool. ',
      `Created ${when(k.created_at)}. `, k.last_used ? `Last used ${when(k.last_used)}.` : 'Never used.',
      k.previous_key_valid_until ? ` The replaced secret works until ${when(k.previous_key_valid_until)}.` : ''),
    h('div', { class: 'quotas' }, quota('Today', k.daily_usage, k.daily_limit), quota('This month', k.monthly_usage, k.monthly_limit)),
    actions, err);
}
