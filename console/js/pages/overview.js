// Overview: counts from GET /summary (what the caller can reach) as small charts.
import { html, useData, ErrorNotice, Loading, Bars, when } from '../ui.js';
import { get } from '../api.js';

export function Overview() {
  const { data, error, loading } = useData(() => get('summary'), []);
  return html`<section>
    <h1 tabindex="-1">Overview</h1>
    <${ErrorNotice} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`<div class="grid">
      <${Bars} title="Tenants by status" counts=${data.tenantsByStatus} empty="No tenants yet" />
      <${Bars} title="Instances by state" counts=${data.instancesByState} empty="No instances yet" />
      <${Bars} title="Operations" counts=${{ 'Running now': data.operations.running, 'Failed (last 24 h)': data.operations.failedLast24h }} />
      ${data.outbox ? html`<${Bars} title="Outbox events" counts=${{ Pending: data.outbox.pending, 'Parked (failed)': data.outbox.parked }} />` : null}
    </div>
    <p class="muted">As of ${when(data.generatedAt)}${data.truncated ? ' (partial: too many tenants to count)' : ''}.</p>` : null}
  </section>`;
}
