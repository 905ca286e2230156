// In-app confirmation dialogs (a modal <dialog>: Escape cancels, the focus
// stays inside and comes back to where it was). The confirming button
// (data-testid "confirm-ok") runs the action and stays disabled while it is in
// flight, so that no double click sends it twice; the dialog stays open until
// the answer, and shows the API's refusal in words next to the field it is
// about (or under the buttons).
import { showErrors, clearErrors } from './api.js';
import { h, field } from './dom.js';

let seq = 0;
const GUARD_MS = 350;

// the last click in a dialog: where and when
let lastClick = { x: -1, y: -1 };
document.addEventListener('pointerdown', (ev) => { lastClick = { x: ev.clientX, y: ev.clientY }; }, true);

// swallowClicks ignores, for GUARD_MS, clicks where the last one was: the
// second click of a double click that closed a dialog must not press what the
// page has beneath it.
function swallowClicks() {
  const { x, y } = lastClick;
  const until = performance.now() + GUARD_MS;
  const stop = (ev) => {
    if (performance.now() <= until && Math.abs(ev.clientX - x) < 8 && Math.abs(ev.clientY - y) < 8) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  };
  document.addEventListener('click', stop, true);
  setTimeout(() => document.removeEventListener('click', stop, true), GUARD_MS);
}

// ask opens a dialog and resolves with run's result once it succeeded, or
// null when cancelled. fields are dom.field() specs (their values, trimmed,
// reach run by name; required ones must be filled). With closeOnError, a
// refusal closes the dialog and ask resolves {error} for the caller to show.
export function ask({ title, message, fields = [], ok = 'Confirm', danger = false, run, closeOnError = false }) {
  const returnTo = document.activeElement;
  const id = `dlg-${++seq}`;
  return new Promise((resolve) => {
    const status = h('p', { class: 'form-error', role: 'alert' });
    const okBtn = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn', testid: 'confirm-ok' }, ok);
    const cancel = h('button', { type: 'button', class: 'btn btn-quiet', testid: 'confirm-cancel' }, 'Cancel');
    const form = h('form', { class: 'form', novalidate: true },
      h('h2', { id }, title),
      [message].flat().filter(Boolean).map((m) => (m instanceof Node ? m : h('p', null, m))),
      fields.map((f) => field(f)),
      h('div', { class: 'actions' }, okBtn, cancel),
      status);
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id }, form);
    document.body.append(dlg);
    let inFlight = false;
    const openedAt = performance.now();
    const opener = lastClick;
    // the second click of a double click that opened the dialog must not
    // confirm it (nor, once it closes, press what the page has beneath)
    okBtn.addEventListener('click', (ev) => {
      if (performance.now() - openedAt < GUARD_MS && Math.abs(ev.clientX - opener.x) < 8 && Math.abs(ev.clientY - opener.y) < 8) ev.preventDefault();
    });
    const close = (value) => {
      dlg.close();
      dlg.remove();
      swallowClicks();
      if (returnTo && returnTo.isConnected) returnTo.focus();
      resolve(value);
    };
    dlg.addEventListener('cancel', (ev) => {
      ev.preventDefault(); // Escape: cancel, unless the action is running
      if (!inFlight) close(null);
    });
    cancel.addEventListener('click', () => { if (!inFlight) close(null); });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (inFlight) return;
      clearErrors(form);
      status.textContent = '';
      const values = {};
      for (const f of fields) {
        const el = form.elements[f.name];
        values[f.name] = el.type === 'checkbox' ? el.checked : el.value.trim();
        if (f.required && !values[f.name]) {
          form.querySelector(`[data-error-for="${CSS.escape(f.name)}"]`).textContent = `${f.label}: this is required.`;
          el.setAttribute('aria-invalid', 'true');
          el.focus();
          return;
        }
      }
      inFlight = true;
      okBtn.disabled = true;
      cancel.disabled = true;
      const label = okBtn.textContent;
      okBtn.textContent = 'Working…';
      try {
        const result = run ? await run(values) : true;
        inFlight = false;
        close(result ?? true);
      } catch (err) {
        inFlight = false;
        okBtn.disabled = false;
        cancel.disabled = false;
        okBtn.textContent = label;
        if (closeOnError) close({ error: err });
        else status.textContent = showErrors(form, err);
      }
    });
    dlg.showModal();
    (form.querySelector('input, textarea, select') || okBtn).focus();
  });
}
