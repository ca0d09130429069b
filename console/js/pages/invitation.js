// The invitation page an invitee reaches from the e-mailed link (INVITE_URL_TEMPLATE):
// signed in as the invited address, they accept (and join) or decline.
import { html, useState, ErrorNotice } from '../ui.js';
import { post } from '../api.js';
import { current } from '../session.js';

export function AcceptInvitation({ invitationId, token }) {
  const [outcome, setOutcome] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const answer = async (verb) => {
    setBusy(true);
    setError(null);
    try {
      const result = await post(`invitations/${encodeURIComponent(invitationId)}/${verb}`, { token });
      setOutcome({ verb, result });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const tenantId = outcome?.result?.tenantId || outcome?.result?.invitation?.tenantId;
  return html`<section class="card narrow">
    <h1 tabindex="-1">Invitation</h1>
    ${!token ? html`<p role="alert">This invitation link is incomplete: it carries no token. Open the link from the e-mail again.</p>` : null}
    ${outcome ? html`<div class="notice" role="status">
        ${outcome.verb === 'accept' ? html`You joined the tenant. ${tenantId ? html`<a href=${`#/tenants/${encodeURIComponent(tenantId)}`}>Open it</a> or see ` : 'See '}<a href="#/my-tenants">my tenants</a>.`
          : 'You declined the invitation.'}
      </div>`
    : token ? html`<p>You were invited to join a tenant. You are signed in as <strong>${current()?.email}</strong>;
        the invitation must have been sent to this address.</p>
      <${ErrorNotice} error=${error} />
      <div class="actions">
        <button type="button" class="primary" disabled=${busy} onClick=${() => answer('accept')}>Accept and join</button>
        <button type="button" disabled=${busy} onClick=${() => answer('decline')}>Decline</button>
      </div>` : null}
  </section>`;
}
