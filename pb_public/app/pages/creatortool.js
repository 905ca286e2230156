// One tool's dashboard for its creator: status (explained, with an admin's
// reason when one sent it back or suspended it) and its moves,
// statistics and chart, recent uses, reviews (private ones too), and the
// signing secret's rotation (shown once, with how to verify signatures).
import { pb, drf, describeError, busy } from '../api.js';
import { h, replace, labelled, loading, empty, errorBox, setTitle, when, points, stars, badge, STATUS_TEXT } from '../dom.js';
import { statsPanel } from '../stats.js';

// the creator's moves, per status (the tools update rule says the same)
const MOVES = {
  DRAFT: [['PENDING', 'Submit for review', 'tool-submit-review']],
  ACTIVE: [['INACTIVE', 'Pause', 'tool-pause']],
  INACTIVE: [['ACTIVE', 'Resume', 'tool-resume']],
};

// statusActions: the buttons that move a tool's status, with errors in words.
export function statusActions(tool, changed) {
  const err = h('p', { class: 'form-error', role: 'alert' });
  const buttons = (MOVES[tool.status] || []).map(([to, label, testid]) => {
    const b = h('button', { type: 'button', class: 'btn btn-small', testid }, label);
    b.addEventListener('click', () => busy(b, 'Saving…', async () => {
      err.textContent = '';
      try {
        await drf(`/api/tools/tools/${encodeURIComponent(tool.id)}/`, { method: 'PATCH', body: { status: to } });
        changed(to);
      } catch (e) {
        err.textContent = describeError(e);
      }
    }));
    return b;
  });
  return h('div', { class: 'actions' },
    buttons,
    h('a', { class: 'btn btn-quiet btn-small', href: `#/creator/tools/${encodeURIComponent(tool.id)}/edit` }, 'Edit'),
    h('a', { class: 'btn btn-quiet btn-small', href: `#/tools/${encodeURIComponent(tool.id)}` }, 'Try it'),
    err);
}

export async function render({ view, params }) {
  const id = params.id;
  const tool = await drf(`/api/tools/tools/${encodeURIComponent(id)}/`);
  const recent = h('div', null, loading());
  const reviews = h('div', null, loading('Loading reviews…'));
  const secret = h('div', { 'aria-live': 'polite' });
  const stats = statsPanel(`/api/tools/tools/${encodeURIComponent(id)}/stats/`, (b) => [
    ['Uses (all time)', b.total_uses, 'stats-uses'],
    ['Points spent (all time, gross)', b.total_revenue, 'stats-gross'],
    ['Your earnings (range)', b.creator_earnings, 'stats-earnings'],
    ['Users (range)', b.unique_users, 'stats-users'],
    ['Rating', b.rating_count ? `${b.average_rating} of 5 (${b.rating_count})` : '—', 'stats-rating'],
  ], (b) => showRecent(recent, b.recent_usage));

  const rotate = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'signing-secret-rotate' }, 'Rotate the signing secret…');
  rotate.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger' }, 'Rotate it now');
    const no = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Cancel');
    no.addEventListener('click', () => secret.replaceChildren());
    yes.addEventListener('click', () => busy(yes, 'Rotating…', async () => {
      try {
        const res = await drf(`/api/tools/tools/${encodeURIComponent(id)}/signing_secret/`, { method: 'POST', body: {} });
        showSecret(secret, res.signing_secret);
      } catch (e) {
        replace(secret, errorBox(`The secret was not rotated: ${describeError(e)}`));
      }
    }));
    replace(secret, h('div', { class: 'confirm' },
      h('p', null, 'Your endpoint must switch to the new secret: calls signed with the old one stop verifying at once.'),
      h('div', { class: 'actions' }, yes, no)));
    no.focus();
  });

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/creator' }, '← Creator console')),
    h('div', { class: 'head-row' }, h('h1', null, tool.name), badge(tool.status)),
    h('p', { class: 'notice' }, STATUS_TEXT[tool.status]),
    tool.moderation_note && h('div', { class: 'warning', role: 'note', testid: 'tool-moderation-note' },
      h('strong', null, tool.status === 'SUSPENDED' ? 'Why an admin suspended it: ' : 'Why an admin sent it back: '),
      h('span', { class: 'description' }, tool.moderation_note)),
    statusActions(tool, () => window.dispatchEvent(new HashChangeEvent('hashchange'))),
    h('p', { class: 'muted' }, `${points(tool.points_cost)} per use · version ${tool.version} · `,
      tool.api_endpoint ? ['calls ', h('code', null, tool.api_endpoint)] : 'no endpoint: uses are recorded and answered {"status": "accepted"}'),
    h('section', { class: 'card', 'aria-labelledby': 'ts-h' }, h('h2', { id: 'ts-h' }, 'Statistics'), stats.el),
    h('section', { class: 'card', 'aria-labelledby': 'tr-h' }, h('h2', { id: 'tr-h' }, 'Recent uses'), recent),
    h('section', { class: 'card', 'aria-labelledby': 'tv-h' }, h('h2', { id: 'tv-h' }, 'Reviews'), reviews),
    h('section', { class: 'card', 'aria-labelledby': 'tk-h' }, h('h2', { id: 'tk-h' }, 'Signing secret'),
      h('p', null, 'toolbase signs every call to your endpoint with this tool’s secret (header ', h('code', null, 'X-Toolbase-Signature'), '). Rotate it to learn it, or after a leak.'),
      rotate, secret));
  setTitle(view, tool.name);

  async function loadReviews() {
    try {
      const res = await drf('/api/tools/feedback/', { query: { tool: id, page_size: 20 } });
      replace(reviews, res.results.length
        ? h('ul', { class: 'reviews' }, res.results.map((r) => h('li', { class: 'review' },
          h('p', { class: 'meta' }, h('span', { class: 'stars', 'aria-label': `${r.rating} of 5` }, stars(r.rating)),
            h('span', null, r.user_name || 'A user'), !r.is_public && h('span', { class: 'badge' }, 'private'),
            h('span', { class: 'muted' }, when(r.created_at))),
          r.comment && h('p', { class: 'comment' }, r.comment))))
        : empty('No reviews yet.'));
    } catch (e) {
      replace(reviews, errorBox(describeError(e)));
    }
  }
  await Promise.all([stats.reload(), loadReviews()]);

  let timer = 0;
  let unsub = null;
  try {
    unsub = await pb.collection('tool_usage').subscribe('*', (e) => {
      if (e.record?.tool !== id) return;
      clearTimeout(timer);
      timer = setTimeout(() => stats.reload(), 300);
    }, { filter: pb.filter('tool = {:id}', { id }) });
  } catch { /* numbers refresh on the next visit */ }
  return () => {
    clearTimeout(timer);
    stats.close();
    if (unsub) unsub().catch(() => {});
  };
}

function showRecent(box, usage) {
  replace(box, usage && usage.length
    ? labelled(h('table', { class: 'table' },
      h('thead', null, h('tr', null, ['When', 'User', 'Points', 'Result', 'Time'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, usage.map((u) => h('tr', { testid: 'recent-use-row' },
        h('td', null, when(u.created_at)), h('td', null, u.user_email || u.user),
        h('td', { class: 'num' }, String(u.points_spent)),
        h('td', null, u.success ? 'Succeeded' : `Failed${u.error_message ? `: ${u.error_message}` : ''}`),
        h('td', { class: 'num' }, `${u.execution_time_ms ?? 0} ms`))))))
    : empty('No uses yet.'));
}

const SNIPPET = `func verify(header string, body []byte, secret string) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			ts = v
		} else if v, ok := strings.CutPrefix(part, "v1="); ok {
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(mac.Sum(nil), want)
}`;

function showSecret(box, value) {
  const code = h('code', { class: 'secret', testid: 'signing-secret' }, value);
  const done = h('button', { type: 'button', class: 'btn btn-quiet' }, 'I have stored it');
  done.addEventListener('click', () => box.replaceChildren());
  replace(box, h('div', { class: 'secret-box' },
    h('p', { class: 'warning' }, 'The new signing secret, shown this once. Store it in your endpoint’s configuration now.'),
    h('p', null, code),
    h('p', null, 'Each call carries ', h('code', null, 'X-Toolbase-Signature: t=<unix seconds>,v1=<hex>'),
      ': the HMAC-SHA256, keyed with this secret, of the timestamp, a dot and the raw body. Verify it before parsing the body, in constant time, and refuse a timestamp more than 5 minutes off. In Go:'),
    h('pre', { class: 'code', tabindex: '0' }, SNIPPET),
    h('div', { class: 'actions' }, done)));
  done.focus();
}
