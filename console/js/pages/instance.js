// One instance: state, the running operation's progress (polled until it ends), scale,
// suspend / resume, backups and restore, and a failed operation's error with a retry.
import { html, useState, useEffect, useRef, useData, ErrorNotice, Loading, Badge, Dialog, Field, useForm, collect, when } from '../ui.js';
import { get, post, put, link, query } from '../api.js';
import { allowed } from '../policy.js';
import { isPlatformStaff } from '../session.js';

const POLL_MS = 1000;

async function roleIn(tenantId) {
  if (isPlatformStaff()) return null;
  const page = await get(`me/tenants${query({ limit: 100 })}`);
  return page.items.find((t) => t.tenantId === tenantId)?.role || null;
}

function Progress({ operation }) {
  return html`<section class="card" aria-live="polite">
    <h2>Operation ${operation.type}</h2>
    <p><${Badge} value=${operation.status} /> ${operation.currentStep ? html` \u2014 ${operation.currentStep}` : null}</p>
    <progress max="100" value=${operation.progress} aria-label=${`${operation.type} progress`}>${operation.progress}%</progress>
    <span class="muted"> ${operation.progress}%</span>
    ${operation.error ? html`<div class="notice error" role="alert"><strong>${operation.error.code}</strong>: ${operation.error.message}</div>` : null}
  </section>`;
}

function ScaleDialog({ instance, onDone, onClose }) {
  const form = useForm({ desiredCount: String(instance.configuration?.desiredCount || instance.desiredCount || 2) },
    (v) => collect({ desiredCount: /^\d+$/.test(v.desiredCount) && +v.desiredCount >= 2 && +v.desiredCount <= 10 ? null : 'desiredCount must be a whole number from 2 to 10' }),
    async (v) => onDone(await put(link(instance, 'size'), { desiredCount: +v.desiredCount })));
  return html`<${Dialog} title="Scale instance" onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="Desired count" name="desiredCount" error=${form.fields.desiredCount} hint="2 to 10 tasks">
        ${(a) => html`<input type="number" min="2" max="10" ...${a} value=${form.values.desiredCount} onInput=${form.set('desiredCount')} />`}<//>
      <div class="actions"><button type="submit" class="primary" disabled=${form.busy}>Scale</button>
        <button type="button" onClick=${onClose}>Cancel</button></div>
    </form>
  <//>`;
}

function BackupDialog({ instance, onDone, onClose }) {
  const form = useForm({ type: 'FULL', label: '' },
    (v) => collect({ label: v.label.length > 100 ? 'label must be at most 100 characters' : null }),
    async (v) => onDone(await post(link(instance, 'backup'), v.label.trim() ? { type: v.type, label: v.label.trim() } : { type: v.type })));
  return html`<${Dialog} title="Back up instance" onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="Type" name="type" error=${form.fields.type}>
        ${(a) => html`<select ...${a} value=${form.values.type} onChange=${form.set('type')}>
          ${['FULL', 'DATABASE', 'FILES'].map((t) => html`<option value=${t}>${t}</option>`)}</select>`}<//>
      <${Field} label="Label (optional)" name="label" error=${form.fields.label}>
        ${(a) => html`<input ...${a} value=${form.values.label} onInput=${form.set('label')} />`}<//>
      <div class="actions"><button type="submit" class="primary" disabled=${form.busy}>Start backup</button>
        <button type="button" onClick=${onClose}>Cancel</button></div>
    </form>
  <//>`;
}

function Backups({ instance, canRestore, onStarted }) {
  const [error, setError] = useState(null);
  const { data, error: loadError } = useData(() => get(`${link(instance, 'backups')}${query({ limit: 50 })}`), [instance.instanceId, instance.version]);
  const restore = async (backupId) => {
    setError(null);
    try { onStarted(await post(link(instance, 'restore'), { backupId })); } catch (e) { setError(e); }
  };
  return html`<section class="card"><h2>Backups</h2>
    <${ErrorNotice} error=${loadError || error} />
    ${data ? html`<div class="table-wrap"><table><caption class="visually-hidden">Backups</caption>
      <thead><tr><th scope="col">Created</th><th scope="col">Type</th><th scope="col">Label</th><th scope="col">Status</th>${canRestore ? html`<th scope="col">Actions</th>` : null}</tr></thead>
      <tbody>${data.items.length === 0 ? html`<tr><td colspan="5" class="muted">No backups.</td></tr>` : data.items.map((b) => html`<tr>
        <td>${when(b.createdAt)}</td><td>${b.type}</td><td>${b.label || ''}</td><td><${Badge} value=${b.status} /></td>
        ${canRestore ? html`<td>${b.status === 'COMPLETED' ? html`<button type="button" class="small" aria-label=${`Restore backup of ${when(b.createdAt)}`} onClick=${() => restore(b.backupId)}>Restore</button>` : null}</td>` : null}
      </tr>`)}</tbody></table></div>` : null}
  </section>`;
}

export function InstancePage({ instanceId }) {
  const [dialog, setDialog] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [tick, setTick] = useState(0);
  // The operation last seen running: once it ends the instance stops linking it, but its
  // outcome (COMPLETED, or FAILED with its error) is still worth showing.
  const lastOperation = useRef(null);
  const { data, error, loading, reload } = useData(async () => {
    const instance = await get(`instances/${encodeURIComponent(instanceId)}`);
    const operationHref = link(instance, 'operation') || lastOperation.current;
    lastOperation.current = operationHref;
    const [operation, role] = await Promise.all([operationHref ? get(operationHref) : null, roleIn(instance.tenantId)]);
    return { instance, operation, role };
  }, [instanceId, tick]);

  // While an operation runs, poll until it ends.
  const running = data?.operation && ['PENDING', 'IN_PROGRESS'].includes(data.operation.status);
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, data]);

  if (error) return html`<section><h1 tabindex="-1">Instance</h1><${ErrorNotice} error=${error} /></section>`;
  if (loading && !data) return html`<section><h1 tabindex="-1">Instance</h1><${Loading} /></section>`;
  const { instance, operation, role } = data;
  const operate = allowed('operate', role);
  const started = () => { setDialog(null); lastOperation.current = null; reload(); };
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); lastOperation.current = null; reload(); } catch (e) { setActionError(e); }
  };
  const failed = instance.state === 'FAILED' || instance.state === 'WORKFLOW_FAILED';
  return html`<section>
    <p class="crumbs"><a href=${`#/tenants/${encodeURIComponent(instance.tenantId)}/instances`}>${instance.organizationName}</a></p>
    <div class="title-row"><h1 tabindex="-1">Instance <code>${instance.instanceId}</code></h1><${Badge} value=${instance.state} /></div>
    <dl class="facts">
      <dt>Tier</dt><dd>${instance.tier}</dd>
      <dt>Running</dt><dd>${instance.runningCount} of ${instance.desiredCount}</dd>
      <dt>Domain</dt><dd>${instance.domain}</dd>
      ${instance.endpoint ? html`<dt>Endpoint</dt><dd>${instance.endpoint}</dd>` : null}
      <dt>Updated</dt><dd>${when(instance.updatedAt)}</dd>
    </dl>
    ${instance.lastError ? html`<div class="notice error" role="alert">
      <strong>Last operation failed: ${instance.lastError.code}</strong> \u2014 ${instance.lastError.message}
      ${instance.lastError.retryable === false ? html`<div>This failure needs a change before a retry can succeed.</div>` : null}
    </div>` : null}
    <${ErrorNotice} error=${actionError} />
    ${operate ? html`<div class="actions" role="group" aria-label="Instance actions">
      ${link(instance, 'size') ? html`<button type="button" onClick=${() => setDialog('scale')}>Scale</button>` : null}
      ${link(instance, 'suspend') ? html`<button type="button" onClick=${() => act(() => post(link(instance, 'suspend')))}>Suspend</button>` : null}
      ${link(instance, 'resume') ? html`<button type="button" onClick=${() => act(() => post(link(instance, 'resume')))}>Resume</button>` : null}
      ${link(instance, 'backup') ? html`<button type="button" onClick=${() => setDialog('backup')}>Back up</button>` : null}
      ${failed && link(instance, 'update') && allowed('provision', role) ? html`<button type="button" class="primary" onClick=${() => act(() => put(link(instance, 'update'), {}))}>Retry</button>` : null}
    </div>` : null}
    ${operation ? html`<${Progress} operation=${operation} />` : null}
    <${Backups} instance=${instance} canRestore=${operate && !!link(instance, 'restore')} onStarted=${started} />
    ${dialog === 'scale' ? html`<${ScaleDialog} instance=${instance} onDone=${started} onClose=${() => setDialog(null)} />` : null}
    ${dialog === 'backup' ? html`<${BackupDialog} instance=${instance} onDone=${started} onClose=${() => setDialog(null)} />` : null}
  </section>`;
}
