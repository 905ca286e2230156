// Sign in, register (a client account) and password reset (PocketBase's mail flow).
import { pb, drf, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, field, setTitle } from '../dom.js';
import * as session from '../session.js';

function page(view, title, intro, form, footer) {
  replace(view, h('section', { class: 'narrow' }, h('h1', null, title), intro && h('p', { class: 'lead' }, intro), form, footer));
  setTitle(view, title);
}

export const signin = {
  render({ view }) {
    const status = h('p', { class: 'form-error', role: 'alert', testid: 'login-error' });
    const submit = h('button', { type: 'submit', class: 'btn', testid: 'login-submit' }, 'Sign in');
    const form = h('form', { class: 'card form', novalidate: true },
      field({ label: 'Email', name: 'email', testid: 'login-email', type: 'email', autocomplete: 'username', required: true }),
      field({ label: 'Password', name: 'password', testid: 'login-password', type: 'password', autocomplete: 'current-password', required: true }),
      h('div', { class: 'actions' }, submit, status));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      status.textContent = '';
      const email = form.email.value.trim();
      const password = form.password.value;
      if (!email || !password) {
        status.textContent = 'Enter your email and password.';
        (email ? form.password : form.email).focus();
        return;
      }
      await busy(submit, 'Signing in…', async () => {
        try {
          await session.signIn(email, password);
          // the router moves on to the page asked for (or the catalog)
        } catch (err) {
          status.textContent = err.status === 400
            ? 'Wrong email or password.'
            : showErrors(form, err);
          form.password.focus();
        }
      });
    });
    page(view, 'Sign in', 'Welcome back. Sign in to use tools and see your points.', form,
      h('p', { class: 'muted' }, 'New here? ', h('a', { href: '#/register' }, 'Create an account'),
        ' · ', h('a', { href: '#/reset' }, 'Forgot your password?')));
    form.email.focus();
  },
};

export const register = {
  render({ view }) {
    const status = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn', testid: 'register-submit' }, 'Create my account');
    const form = h('form', { class: 'card form', novalidate: true },
      field({ label: 'Email', name: 'email', testid: 'register-email', type: 'email', autocomplete: 'email', required: true }),
      field({ label: 'Username', name: 'username', testid: 'register-username', autocomplete: 'username', required: true,
        hint: 'Letters, digits and @ . + - _ only.' }),
      h('div', { class: 'row2' },
        field({ label: 'First name (optional)', name: 'first_name', autocomplete: 'given-name' }),
        field({ label: 'Last name (optional)', name: 'last_name', autocomplete: 'family-name' })),
      field({ label: 'Password', name: 'password', testid: 'register-password', type: 'password', autocomplete: 'new-password', required: true,
        hint: 'At least 8 characters, not only digits, not your username or email.' }),
      field({ label: 'Confirm the password', name: 'password_confirm', testid: 'register-password-confirm', type: 'password', autocomplete: 'new-password', required: true }),
      h('div', { class: 'actions' }, submit, status));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      status.textContent = '';
      const body = Object.fromEntries(new FormData(form));
      body.email = body.email.trim();
      if (body.password !== body.password_confirm) {
        form.querySelector('[data-error-for="password_confirm"]').textContent = "The passwords don't match.";
        form.password_confirm.setAttribute('aria-invalid', 'true');
        form.password_confirm.focus();
        return;
      }
      await busy(submit, 'Creating your account…', async () => {
        try {
          await drf('/api/users/register/', { method: 'POST', body });
        } catch (err) {
          status.textContent = showErrors(form, err);
          return;
        }
        try {
          await session.signIn(body.email, body.password);
        } catch (err) {
          status.textContent = `Your account was created, but signing in failed: ${showErrors(form, err)}`;
        }
      });
    });
    page(view, 'Create an account',
      'A client account: browse the catalog and use tools with prepaid points (an admin grants them). Tool creators: register, then ask support to make your account a creator account.',
      form, h('p', { class: 'muted' }, 'Already registered? ', h('a', { href: '#/signin' }, 'Sign in')));
    form.email.focus();
  },
};

export const reset = {
  render({ view }) {
    const status = h('p', { role: 'status', class: 'notice', hidden: true });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'btn', testid: 'reset-submit' }, 'Send me a reset link');
    const form = h('form', { class: 'card form', novalidate: true },
      field({ label: 'Email', name: 'email', testid: 'reset-email', type: 'email', autocomplete: 'email', required: true }),
      h('div', { class: 'actions' }, submit, error), status);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const email = form.email.value.trim();
      if (!email) {
        error.textContent = 'Enter the email of your account.';
        form.email.focus();
        return;
      }
      await busy(submit, 'Sending…', async () => {
        try {
          await pb.collection('users').requestPasswordReset(email);
          status.hidden = false;
          status.textContent = `If an account uses ${email}, an email with a link to choose a new password is on its way. The link works for a limited time.`;
        } catch (err) {
          error.textContent = showErrors(form, err);
        }
      });
    });
    page(view, 'Reset your password', 'We email you a link to choose a new password.', form,
      h('p', { class: 'muted' }, h('a', { href: '#/signin' }, 'Back to sign in')));
    form.email.focus();
  },
};
