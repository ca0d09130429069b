// The sign-in page: a one-time code (AUTH_MODE=local) or the Cognito hosted UI.
import { html, useState } from '../ui.js';
import { settings, takeNotice, exchangeCode, startCognitoSignIn, rememberPage } from '../session.js';

export function SignIn({ route }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const notice = takeNotice();
  const inviting = route.parts[0] === 'invitations';

  const submit = async (e) => {
    e.preventDefault();
    // A pasted link works as well as the bare code.
    const text = code.trim();
    const fromLink = /[?&]code=([^&#]+)/.exec(text);
    if (!text) { setError('Paste the sign-in link or its code'); return; }
    setBusy(true);
    setError(null);
    try {
      await exchangeCode(fromLink ? decodeURIComponent(fromLink[1]) : text);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };

  return html`<main id="main" class="sign-in" tabindex="-1">
    <section class="card narrow">
      <h1 tabindex="-1">Sign in to tenantd</h1>
      ${notice ? html`<div class="notice" role="status">${notice}</div>` : null}
      ${inviting ? html`<p>Sign in as the invited user to answer the invitation; you will come back to it.</p>` : null}
      ${settings.signIn === 'cognito' ? html`
        <p>You will sign in on your organisation's sign-in page and come back here.</p>
        <button type="button" class="primary" onClick=${() => { rememberPage(); startCognitoSignIn(); }}>Sign in</button>`
      : settings.signIn === 'code' ? html`
        <p>This server uses local development sign-in. <code>scripts/run.sh</code> prints a sign-in link;
          for another user run <code>tenantd console-link --email you@example.com</code>. Each link works once.</p>
        <form onSubmit=${(e) => { rememberPage(); submit(e); }} novalidate>
          <div class=${`field${error ? ' invalid' : ''}`}>
            <label for="f-code">Sign-in link or code</label>
            <input id="f-code" name="code" autocomplete="off" value=${code}
              aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'f-code-error' : undefined}
              onInput=${(e) => setCode(e.currentTarget.value)} />
            ${error ? html`<small id="f-code-error" class="field-error">${error}</small>` : null}
          </div>
          <button type="submit" class="primary" disabled=${busy}>Sign in</button>
        </form>`
      : html`<p role="alert">Sign-in is not configured for this deployment: set COGNITO_DOMAIN and COGNITO_CLIENT_ID
          (see docs/console.md).</p>`}
    </section>
  </main>`;
}
