// What both support pages (the user's and the admins') share: answering a
// ticket's thread.
import { drf, showErrors, busy } from './api.js';

// onReply posts the form's `body` to the ticket's messages when the form is
// submitted (a blank one is refused, nothing sent), with extra() merged into
// the request body, while button shows that it is sending. sent(message) runs
// with the new message before the form is cleared, then after(); errors are
// shown in the form and in status.
export function onReply(form, { id, button, status, extra = () => ({}), sent, after = () => {} }) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    const body = form.body.value.trim();
    if (!body) {
      status.textContent = 'Write something first.';
      form.body.focus();
      return;
    }
    await busy(button, 'Sending…', async () => {
      try {
        sent(await drf(`/api/support/tickets/${encodeURIComponent(id)}/messages/`, { method: 'POST', body: { body, ...extra() } }));
        form.body.value = '';
        await after();
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });
}
