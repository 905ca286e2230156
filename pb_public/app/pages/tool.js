// A tool: what it does, what it costs, its reviews; using it (the DRF use
// route) and reviewing it (the DRF submit_feedback route).
import { pb, drf, describeError, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, loading, empty, errorBox, field, setTitle, when, points, stars, badge, categoryLabel, STATUS_TEXT } from '../dom.js';
import * as session from '../session.js';

const MAX_INPUT_BYTES = 64 * 1024;

export async function render({ view, params }) {
  const me = session.user();
  const tool = await pb.collection('tools').getOne(params.id);
  const mine = tool.creator === me.id;
  const free = mine || me.role === 'ADMIN';

  const doc = tool.api_documentation
    ? h('a', { href: tool.api_documentation, target: '_blank', rel: 'noopener noreferrer' }, 'The creator’s documentation ↗')
    : null;

  const reviewsBox = h('div', null, loading('Loading reviews…'));
  const reviewBox = h('div');
  const result = h('div', { class: 'result', 'aria-live': 'polite' });

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/catalog' }, '← Catalog'), mine && ' · ', mine && h('a', { href: `#/creator/tools/${tool.id}` }, 'Your tool’s dashboard')),
    h('header', { class: 'tool-head' },
      h('h1', null, tool.name),
      h('p', { class: 'meta' },
        h('span', { class: 'tag' }, categoryLabel(tool.category)),
        h('span', null, `Version ${tool.version}`),
        h('span', { class: 'cost' }, free ? 'Free for you' : tool.points_cost === 0 ? 'Free' : `${points(tool.points_cost)} per use`),
        h('span', { class: 'rating' }, tool.rating_count ? `${stars(tool.average_rating)} ${tool.average_rating} of 5 (${tool.rating_count} ${tool.rating_count === 1 ? 'review' : 'reviews'})` : 'No reviews yet'),
        tool.status !== 'ACTIVE' && badge(tool.status)),
      tool.status !== 'ACTIVE' && h('p', { class: 'notice' }, STATUS_TEXT[tool.status], ' You can try it here for free before it goes live.'),
      tool.description ? h('p', { class: 'description' }, tool.description) : h('p', { class: 'muted' }, 'No description.'),
      doc && h('p', null, doc),
      (tool.tags || []).length > 0 && h('p', { class: 'tags' }, tool.tags.map((t) => h('span', { class: 'tag' }, t)))),
    h('section', { class: 'card', 'aria-labelledby': 'use-h' },
      h('h2', { id: 'use-h' }, mine ? 'Try your tool' : 'Use this tool'),
      usePanel(tool, free, result, () => loadReviewForm()),
      result),
    h('section', { 'aria-labelledby': 'reviews-h' },
      h('h2', { id: 'reviews-h' }, 'Reviews'),
      reviewBox,
      reviewsBox));
  setTitle(view, tool.name);

  async function loadReviews() {
    try {
      const reviews = await drf(`/api/tools/tools/${encodeURIComponent(tool.id)}/feedback/`);
      replace(reviewsBox, reviews.length
        ? h('ul', { class: 'reviews' }, reviews.slice(0, 50).map((r) => h('li', { class: 'review' },
          h('p', { class: 'meta' }, h('span', { class: 'stars', 'aria-label': `${r.rating} of 5` }, stars(r.rating)),
            h('span', null, r.user_name || 'A user'), h('span', { class: 'muted' }, when(r.created_at))),
          r.comment && h('p', { class: 'comment' }, r.comment))))
        : empty('No public reviews yet.'));
    } catch (err) {
      replace(reviewsBox, errorBox(`Reviews could not be loaded: ${describeError(err)}`));
    }
  }

  async function loadReviewForm() {
    if (mine) {
      replace(reviewBox, h('p', { class: 'muted' }, 'Reviews of your tool are from its users; yours would not count.'));
      return;
    }
    try {
      const [used, own] = await Promise.all([
        pb.collection('tool_usage').getList(1, 1, { filter: pb.filter('tool = {:t} && user = {:u} && success = true', { t: tool.id, u: me.id }), fields: 'id', skipTotal: true }),
        pb.collection('tool_feedback').getList(1, 1, { filter: pb.filter('tool = {:t} && user = {:u}', { t: tool.id, u: me.id }), skipTotal: true }),
      ]);
      if (!used.items.length) {
        replace(reviewBox, h('p', { class: 'muted' }, 'Use this tool once to leave a review.'));
        return;
      }
      replace(reviewBox, reviewForm(tool, own.items[0], () => { loadReviews(); }));
    } catch (err) {
      replace(reviewBox, errorBox(describeError(err)));
    }
  }

  await Promise.all([loadReviews(), loadReviewForm()]);
}

// usePanel: the input editor (JSON object, or plain text sent as {"text": …}),
// the cost shown before confirming, and the answer.
function usePanel(tool, free, result, afterUse) {
  const input = h('textarea', {
    id: 'use-input', name: 'input_data', testid: 'tool-use-input', rows: 6, spellcheck: 'false', value: '{\n  \n}',
    'aria-describedby': 'use-input-hint use-input-err',
  });
  const plain = h('input', { type: 'checkbox', id: 'use-plain', testid: 'tool-use-plain' });
  const inputErr = h('p', { class: 'field-error', id: 'use-input-err', 'aria-live': 'polite' });
  const hint = h('p', { class: 'hint', id: 'use-input-hint' }, 'A JSON object, e.g. {"text": "hello"}.');
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'tool-use-submit' }, free ? 'Use it (free)' : `Use it for ${points(tool.points_cost)}`);
  const confirmBox = h('div', { class: 'confirm', hidden: true });
  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'use-input' }, 'Input'), input, hint, inputErr),
    h('div', { class: 'check' }, plain, h('label', { for: 'use-plain' }, 'Plain text: send what I type as {"text": …}')),
    h('div', { class: 'actions' }, submit), confirmBox);

  plain.addEventListener('change', () => {
    if (plain.checked) {
      hint.textContent = 'Plain text, sent as {"text": "what you typed"}.';
      if (input.value.trim() === '{\n  \n}'.trim() || input.value.trim() === '{}') input.value = '';
    } else {
      hint.textContent = 'A JSON object, e.g. {"text": "hello"}.';
    }
    inputErr.textContent = '';
  });

  // parse returns the input_data object, or null with the reason shown
  function parse() {
    inputErr.textContent = '';
    input.removeAttribute('aria-invalid');
    let data;
    if (plain.checked) data = { text: input.value };
    else {
      const text = input.value.trim() || '{}';
      try {
        data = JSON.parse(text);
      } catch (e) {
        return fail(`This is not valid JSON: ${e.message}. Fix it, or tick “Plain text”.`);
      }
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        return fail('The input must be a JSON object: {"name": value, …}.');
      }
    }
    if (new TextEncoder().encode(JSON.stringify(data)).length > MAX_INPUT_BYTES) {
      return fail('The input is larger than 64 KiB.');
    }
    return data;
  }
  function fail(msg) {
    inputErr.textContent = msg;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return null;
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = parse();
    if (!data) return;
    const balance = session.user()?.points_balance ?? 0;
    const cost = free ? 0 : tool.points_cost;
    const go = h('button', { type: 'button', class: 'btn', testid: 'tool-use-confirm' }, cost ? `Confirm: spend ${points(cost)}` : 'Confirm');
    const cancel = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Cancel');
    replace(confirmBox,
      h('p', null, cost
        ? `This use costs ${points(cost)}. You have ${points(balance)}; ${balance >= cost ? `${points(balance - cost)} will be left.` : 'that is not enough: ask an admin for points.'}`
        : 'This use is free for you.'),
      h('div', { class: 'actions' }, go, cancel));
    confirmBox.hidden = false;
    submit.disabled = true;
    go.focus();
    const close = () => { confirmBox.hidden = true; submit.disabled = false; };
    cancel.addEventListener('click', () => { close(); submit.focus(); });
    go.addEventListener('click', () => busy(go, 'Running…', async () => {
      replace(result, loading('Running the tool…'));
      try {
        const res = await drf(`/api/tools/tools/${encodeURIComponent(tool.id)}/use/`, {
          method: 'POST', body: { input_data: data }, headers: { 'Idempotency-Key': crypto.randomUUID() },
        });
        showResult(result, res);
        if (res.success) afterUse();
      } catch (err) {
        replace(result, errorBox(useError(err), 'tool-use-error'));
      } finally {
        close();
      }
    }));
  });
  return form;
}

function useError(err) {
  const data = err.response || {};
  if (Array.isArray(data.non_field_errors) && data.non_field_errors[0] === 'Insufficient points') {
    return `Not enough points: this use needs ${points(data.required)} and you have ${points(data.available)}. Nothing was charged.`;
  }
  if (Array.isArray(data.non_field_errors) && data.non_field_errors[0] === 'Cannot use this tool') {
    return 'This tool cannot be used right now: it is not live. Nothing was charged.';
  }
  return `The tool was not used: ${describeError(err)}`;
}

function showResult(box, res) {
  const facts = h('dl', { class: 'facts' },
    h('dt', null, 'Points spent'), h('dd', null, String(res.points_spent)),
    h('dt', null, 'Remaining'), h('dd', { testid: 'tool-use-remaining' }, String(res.remaining_points)),
    h('dt', null, 'Execution time'), h('dd', null, `${res.execution_time_ms ?? 0} ms`));
  if (res.success) {
    replace(box,
      h('p', { class: 'ok', role: 'status' }, 'Done.'),
      h('pre', { class: 'output', testid: 'tool-use-output', tabindex: '0', 'aria-label': 'Output' }, JSON.stringify(res.output_data, null, 2)),
      facts);
  } else {
    replace(box,
      errorBox(`The tool failed: ${res.error_message || 'no reason given'}`, 'tool-use-error'),
      h('p', null, res.points_spent ? `Your ${points(res.points_spent)} came back: failed uses are refunded.` : 'Nothing was charged.'),
      facts);
  }
}

function reviewForm(tool, existing, saved) {
  const status = h('p', { class: 'form-error', role: 'alert' });
  const done = h('p', { class: 'ok', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'review-submit' }, existing ? 'Update my review' : 'Publish my review');
  const form = h('form', { class: 'card form', novalidate: true },
    h('h3', null, existing ? 'Your review' : 'Review this tool'),
    field({ label: 'Rating', name: 'rating', testid: 'review-rating', kind: 'select',
      options: [['', 'Choose…'], ['5', '5 – excellent'], ['4', '4 – good'], ['3', '3 – fair'], ['2', '2 – poor'], ['1', '1 – bad']],
      value: existing ? String(existing.rating) : '' }),
    field({ label: 'Comment (optional)', name: 'comment', testid: 'review-comment', kind: 'textarea', rows: 3, maxlength: 2000, value: existing?.comment || '' }),
    h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: 'review-public', name: 'is_public', checked: existing ? existing.is_public : true }),
      h('label', { for: 'review-public' }, 'Public (shown on this page); otherwise only the creator and admins read it')),
    h('div', { class: 'actions' }, submit, status), done);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    status.textContent = '';
    done.textContent = '';
    const rating = parseInt(form.rating.value, 10);
    if (!rating) {
      form.querySelector('[data-error-for="rating"]').textContent = 'Choose a rating from 1 to 5.';
      form.rating.setAttribute('aria-invalid', 'true');
      form.rating.focus();
      return;
    }
    await busy(submit, 'Saving…', async () => {
      try {
        await drf(`/api/tools/tools/${encodeURIComponent(tool.id)}/submit_feedback/`, {
          method: 'POST', body: { rating, comment: form.comment.value, is_public: form.is_public.checked },
        });
        done.textContent = 'Thank you: your review is saved.';
        submit.textContent = 'Update my review';
        saved();
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });
  return form;
}
