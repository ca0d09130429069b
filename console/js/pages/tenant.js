// One tenant: details with edit and lifecycle actions, members, invitations, hierarchy,
// instances and the audit timeline, as tabs (#/tenants/<id>/<tab>).
import { html, useState, useData, ErrorNotice, Loading, Badge, Dialog, Field, useForm, rules, collect, when } from '../ui.js';
import { get, put, post, patch, del, link, query } from '../api.js';
import { allowed } from '../policy.js';
import { isPlatformStaff } from '../session.js';
import { Members, Invitations } from './members.js';
import { Hierarchy } from './hierarchy.js';
import { Instances } from './instances.js';

// The caller's role in the tenant (null for platform staff who are not members).
async function roleIn(tenantId) {
  let token = null;
  do {
    const page = await get(`me/tenants${query({ limit: 100, nextToken: token })}`);
    const mine = page.items.find((t) => t.tenantId === tenantId);
    if (mine) return mine.role;
    token = page.nextToken;
  } while (token);
  return null;
}

const LIFECYCLE = {
  park: { label: 'Park', reason: true, help: 'Parking stops the tenant\u2019s instances until it is unparked.' },
  unpark: { label: 'Unpark', reason: false, help: 'Unparking brings the tenant and its parked instances back.' },
  suspend: { label: 'Suspend', reason: true, help: 'Suspending blocks the tenant\u2019s members until it is resumed.' },
  resume: { label: 'Resume', reason: false, help: 'Resuming makes the tenant active again.' },
};

function LifecycleDialog({ tenant, action, onDone, onClose }) {
  const spec = LIFECYCLE[action];
  const form = useForm({ reason: '' },
    (v) => collect({ reason: spec.reason || v.reason.trim() ? rules.reason(v.reason) : null }),
    async (v) => {
      const reason = v.reason.trim();
      onDone(await post(link(tenant, action), reason ? { reason } : {}));
    });
  return html`<${Dialog} title=${`${spec.label} ${tenant.organizationName}`} onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <p>${spec.help}</p>
      <${ErrorNotice} error=${form.error} />
      <${Field} label=${spec.reason ? 'Reason' : 'Reason (optional)'} name="reason" error=${form.fields.reason} hint="10 to 500 characters, kept in the audit timeline">
        ${(a) => html`<textarea ...${a} rows="3" value=${form.values.reason} onInput=${form.set('reason')}></textarea>`}<//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${form.busy}>${spec.label}</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

function DeleteDialog({ tenant, onClose }) {
  const [force, setForce] = useState(false);
  const form = useForm({}, () => ({}), async () => {
    await del(`${link(tenant, 'delete')}${force ? '?force=true' : ''}`);
    onClose();
    location.hash = '#/tenants';
  });
  return html`<${Dialog} title=${`Delete ${tenant.organizationName}`} onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <p>The tenant is deprovisioned: its members lose access and it can no longer be changed.</p>
      <${ErrorNotice} error=${form.error} />
      <div class="field check">
        <input id="f-force" type="checkbox" checked=${force} onChange=${(e) => setForce(e.currentTarget.checked)} />
        <label for="f-force">Force: also delete the tenant\u2019s instances</label>
      </div>
      ${force ? html`<p class="notice warn" role="note"><strong>Warning:</strong> forcing deletes every instance of this
        tenant and its sites. This cannot be undone.</p>` : null}
      <div class="actions">
        <button type="submit" class="danger" disabled=${form.busy}>Delete tenant</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

function EditDialog({ tenant, onDone, onClose }) {
  const form = useForm({ organizationName: tenant.organizationName, contactEmail: tenant.contactEmail || '' },
    (v) => collect({ organizationName: rules.organizationName(v.organizationName), contactEmail: rules.email(v.contactEmail, 'contactEmail') }),
    async (v) => onDone(await put(link(tenant, 'self'), { organizationName: v.organizationName.trim(), contactEmail: v.contactEmail.trim() })));
  return html`<${Dialog} title="Edit tenant" onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="Organisation name" name="organizationName" error=${form.fields.organizationName}>
        ${(a) => html`<input ...${a} value=${form.values.organizationName} onInput=${form.set('organizationName')} />`}<//>
      <${Field} label="Contact e-mail" name="contactEmail" error=${form.fields.contactEmail}>
        ${(a) => html`<input type="email" ...${a} value=${form.values.contactEmail} onInput=${form.set('contactEmail')} />`}<//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${form.busy}>Save</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

function Details({ tenant, role, onChange }) {
  const [dialog, setDialog] = useState(null);
  const [actionError, setActionError] = useState(null);
  const close = () => setDialog(null);
  const done = (t) => { close(); onChange(t); };
  const lifecycle = Object.keys(LIFECYCLE).filter((a) => link(tenant, a) && allowed('lifecycle', role));
  return html`<div>
    <dl class="facts">
      <dt>Status</dt><dd><${Badge} value=${tenant.status} /></dd>
      <dt>Environment</dt><dd>${tenant.environment}</dd>
      <dt>Contact</dt><dd>${tenant.contactEmail}</dd>
      <dt>Tenant id</dt><dd><code>${tenant.tenantId}</code></dd>
      <dt>Created</dt><dd>${when(tenant.createdAt)}</dd>
      ${tenant.statusReason ? html`<dt>Reason</dt><dd>${tenant.statusReason}</dd>` : null}
    </dl>
    <${ErrorNotice} error=${actionError} />
    <div class="actions" role="group" aria-label="Tenant actions">
      ${allowed('updateTenant', role) && tenant.status !== 'DEPROVISIONED' ? html`<button type="button" onClick=${() => setDialog({ kind: 'edit' })}>Edit</button>` : null}
      ${tenant.status === 'PENDING' && link(tenant, 'status') && allowed('lifecycle', role) ? html`<button type="button" class="primary"
        onClick=${async () => { try { onChange(await patch(link(tenant, 'status'), { status: 'ACTIVE' })); } catch (e) { setActionError(e); } }}>Activate</button>` : null}
      ${lifecycle.map((a) => html`<button type="button" onClick=${() => setDialog({ kind: 'lifecycle', action: a })}>${LIFECYCLE[a].label}</button>`)}
      ${link(tenant, 'delete') && allowed('lifecycle', role) ? html`<button type="button" class="danger" onClick=${() => setDialog({ kind: 'delete' })}>Delete</button>` : null}
    </div>
    ${dialog?.kind === 'edit' ? html`<${EditDialog} tenant=${tenant} onDone=${done} onClose=${close} />` : null}
    ${dialog?.kind === 'lifecycle' ? html`<${LifecycleDialog} tenant=${tenant} action=${dialog.action} onDone=${done} onClose=${close} />` : null}
    ${dialog?.kind === 'delete' ? html`<${DeleteDialog} tenant=${tenant} onClose=${close} />` : null}
  </div>`;
}

function Audit({ tenant }) {
  const [tokens, setTokens] = useState([null]);
  const { data, error } = useData(() => get(`${link(tenant, 'audit')}${query({ limit: 20, nextToken: tokens[tokens.length - 1] })}`), [tokens]);
  return html`<div>
    <${ErrorNotice} error=${error} />
    ${data ? html`<ol class="timeline">${data.items.map((e) => html`<li>
      <time datetime=${e.timestamp}>${when(e.timestamp)}</time>
      <strong>${e.eventType}</strong> by ${e.actor}
      ${e.details?.reason ? html`<div class="muted">Reason: ${e.details.reason}</div>` : null}
    </li>`)}</ol>
    ${data.nextToken ? html`<button type="button" onClick=${() => setTokens([...tokens, data.nextToken])}>Older entries</button>` : null}` : null}
  </div>`;
}

const TABS = [
  ['details', 'Details', () => true],
  ['members', 'Members', (role) => allowed('readMembers', role)],
  ['invitations', 'Invitations', (role) => allowed('readInvitations', role)],
  ['hierarchy', 'Hierarchy', (role) => allowed('readMembers', role)],
  ['instances', 'Instances', () => true],
  ['audit', 'Audit', (role) => allowed('readMembers', role)],
];

export function TenantPage({ tenantId, tab }) {
  const [override, setOverride] = useState(null);
  const { data, error, loading } = useData(async () => {
    const [tenant, role] = await Promise.all([get(`tenants/${encodeURIComponent(tenantId)}`),
      isPlatformStaff() ? Promise.resolve(null) : roleIn(tenantId)]);
    setOverride(null);
    return { tenant, role };
  }, [tenantId]);
  if (error) return html`<section><h1 tabindex="-1">Tenant</h1><${ErrorNotice} error=${error} /></section>`;
  if (loading && !data) return html`<section><h1 tabindex="-1">Tenant</h1><${Loading} /></section>`;
  const tenant = override || data.tenant;
  const role = data.role;
  const tabs = TABS.filter(([, , visible]) => visible(role));
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  return html`<section>
    <p class="crumbs"><a href="#/tenants">Tenants</a></p>
    <div class="title-row"><h1 tabindex="-1">${tenant.organizationName}</h1><${Badge} value=${tenant.status} />
      ${role ? html`<span class="muted">Your role: ${role}</span>` : null}</div>
    <nav class="tabs" aria-label="Tenant sections"><ul>
      ${tabs.map(([id, label]) => html`<li><a href=${`${base}/${id}`} aria-current=${tab === id ? 'page' : undefined}>${label}</a></li>`)}
    </ul></nav>
    ${tab === 'details' ? html`<${Details} tenant=${tenant} role=${role} onChange=${setOverride} />` : null}
    ${tab === 'members' ? html`<${Members} tenant=${tenant} role=${role} />` : null}
    ${tab === 'invitations' ? html`<${Invitations} tenant=${tenant} role=${role} />` : null}
    ${tab === 'hierarchy' ? html`<${Hierarchy} tenant=${tenant} role=${role} />` : null}
    ${tab === 'instances' ? html`<${Instances} tenant=${tenant} role=${role} />` : null}
    ${tab === 'audit' ? html`<${Audit} tenant=${tenant} />` : null}
  </section>`;
}
