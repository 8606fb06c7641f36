import type { Actor, AppDeps } from '../kernel/deps.ts';
import { loadTenant } from '../tenants/tenants.ts';
import type { AutoAttendantDto, CallFlowDto, CallQueueDto, CallTargetDto, ResourceAccountDto } from './schemas.ts';
import { getVoiceApps } from './voice-apps.ts';

/**
 * The voice apps of a tenant as one printable HTML page for the customer's documentation: no
 * script, no external asset, every value escaped (names are typed by customers and come back from
 * Teams as they were typed).
 */
const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const typeLabel: Record<ResourceAccountDto['type'], string> = { aa: 'Auto attendant', cq: 'Call queue', other: 'Other', unknown: 'Not known without PowerShell' };
const keyLabel = (key: string) => (/^Tone(\d|Star|Pound)$/.test(key) ? `Press ${key.replace('Tone', '').replace('Star', '*').replace('Pound', '#')}` : key === 'Automatic' ? 'Straight away' : key);
const targetText = (t: CallTargetDto | null) => (t ? `${t.label} (${t.type})` : '');
/** 08:30:00 reads as 08:30; dates with times stay as they are. */
const clock = (time: string) => (/^\d\d:\d\d:00$/.test(time) ? time.slice(0, 5) : time);

function flowDiagram(flow: CallFlowDto | null, title: string): string {
  if (!flow) return `<p class="muted">${escapeHtml(title)}: no call flow.</p>`;
  const options = flow.options.length
    ? flow.options
        .map((o) => `<li class="option"><span class="box key">${escapeHtml(keyLabel(o.dtmf))}</span><span class="arrow" aria-hidden="true">→</span><span class="box target">${escapeHtml(o.action)}${o.target ? `: ${escapeHtml(targetText(o.target))}` : ''}</span></li>`)
        .join('')
    : '<li class="muted">No menu options.</li>';
  return `<div class="flow"><div class="box start">${escapeHtml(title)}: ${escapeHtml(flow.name)}${flow.menuName ? ` — menu “${escapeHtml(flow.menuName)}”` : ''}</div><ul class="options">${options}</ul></div>`;
}

function autoAttendantSection(a: AutoAttendantDto): string {
  const hours = a.businessHours
    ? `<table><thead><tr><th>Day</th><th>Open</th></tr></thead><tbody>${a.businessHours.days.map((d) => `<tr><td>${escapeHtml(d.day)}</td><td>${d.ranges.length ? d.ranges.map((r) => `${escapeHtml(clock(r.start))}–${escapeHtml(clock(r.end))}`).join(', ') : 'Closed'}</td></tr>`).join('')}</tbody></table>`
    : '<p>Open all the time (no after-hours schedule).</p>';
  const holidays = a.holidays.length
    ? `<table><thead><tr><th>Holiday</th><th>Dates</th><th>Call flow</th></tr></thead><tbody>${a.holidays.map((h) => `<tr><td>${escapeHtml(h.scheduleName)}</td><td>${h.ranges.map((r) => `${escapeHtml(r.start)} – ${escapeHtml(r.end)}`).join('<br>')}</td><td>${escapeHtml(h.callFlow?.name ?? '')}</td></tr>`).join('')}</tbody></table>${a.holidays.map((h) => flowDiagram(h.callFlow, `Holiday ${h.scheduleName}`)).join('')}`
    : '<p>No holidays.</p>';
  return `<section class="app"><h3>Auto attendant: ${escapeHtml(a.name)}</h3>
<p>Language ${escapeHtml(a.languageId)} · time zone ${escapeHtml(a.timeZoneId)} · resource accounts: ${a.resourceAccounts.map((r) => escapeHtml(r.label)).join(', ') || 'none'}</p>
<h4>Call flow</h4>${flowDiagram(a.defaultCallFlow, 'Business hours')}
<h4>Business hours${a.businessHours ? ` (schedule “${escapeHtml(a.businessHours.scheduleName)}”)` : ''}</h4>${hours}
${a.businessHours ? flowDiagram(a.businessHours.callFlow, 'After hours') : ''}
<h4>Holidays</h4>${holidays}</section>`;
}

function callQueueSection(q: CallQueueDto): string {
  return `<section class="app"><h3>Call queue: ${escapeHtml(q.name)}</h3>
<p>Language ${escapeHtml(q.languageId)} · routing ${escapeHtml(q.routingMethod)} · resource accounts: ${q.resourceAccounts.map((r) => escapeHtml(r.label)).join(', ') || 'none'}</p>
<h4>Agents</h4>${q.agents.length ? `<ul>${q.agents.map((a) => `<li>${escapeHtml(a.label)}${a.optIn ? '' : ' (opted out)'}</li>`).join('')}</ul>` : '<p>No agents named directly.</p>'}
${q.groups.length ? `<h4>Groups</h4><ul>${q.groups.map((g) => `<li>${escapeHtml(g.label)}</li>`).join('')}</ul>` : ''}
<table><tbody>
<tr><th>Timeout</th><td>after ${escapeHtml(q.timeout.seconds ?? '—')} s: ${escapeHtml(q.timeout.action)}${q.timeout.target ? ` → ${escapeHtml(targetText(q.timeout.target))}` : ''}</td></tr>
<tr><th>Overflow</th><td>over ${escapeHtml(q.overflow.calls ?? '—')} calls: ${escapeHtml(q.overflow.action)}${q.overflow.target ? ` → ${escapeHtml(targetText(q.overflow.target))}` : ''}</td></tr>
</tbody></table></section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#18181b;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #d4d4d8;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem}h4{font-size:.95rem;margin:.8rem 0 .3rem}
table{border-collapse:collapse;margin:.3rem 0}th,td{border:1px solid #d4d4d8;padding:.25rem .5rem;text-align:left;vertical-align:top}
.muted{color:#71717a}.app{break-inside:avoid;margin-bottom:1.5rem}
.flow{margin:.4rem 0}.box{display:inline-block;border:1px solid #52525b;border-radius:4px;padding:.2rem .5rem;background:#fafafa}
.start{font-weight:600;background:#eff6ff;border-color:#1d4ed8}.options{list-style:none;margin:.3rem 0 0 1.2rem;padding-left:1rem;border-left:2px solid #a1a1aa}
.option{margin:.3rem 0}.option::before{content:"";display:inline-block;width:.8rem;border-top:2px solid #a1a1aa;vertical-align:middle;margin-left:-1rem;margin-right:.2rem}
.arrow{margin:0 .4rem}.key{font-weight:600}
@media print{body{margin:0;max-width:none;font-size:11pt}.noprint{display:none}h2{break-after:avoid}}`;

export async function voiceAppsExportHtml(deps: AppDeps, actor: Actor, tenantId: string): Promise<string> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const apps = await getVoiceApps(deps, actor, tenantId);
  const accounts = apps.resourceAccounts.length
    ? `<table><thead><tr><th>Name</th><th>UPN</th><th>Type</th><th>Number</th><th>Licence</th><th>Serves</th></tr></thead><tbody>${apps.resourceAccounts
        .map((r) => `<tr><td>${escapeHtml(r.displayName)}</td><td>${escapeHtml(r.userPrincipalName)}</td><td>${escapeHtml(typeLabel[r.type])}</td><td>${r.phoneNumbers.map(escapeHtml).join('<br>') || '—'}</td><td>${r.licences.map(escapeHtml).join(', ') || 'None'}</td><td>${r.serves.map((s) => escapeHtml(s.name)).join(', ') || '—'}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>No resource accounts.</p>';
  const bridgeNote =
    apps.bridge.status === 'read' ? '' : apps.bridge.status === 'failed' ? `<p class="muted">Auto attendants and call queues could not be read: ${escapeHtml(apps.bridge.message)}</p>` : `<p class="muted">Auto attendants and call queues were not read: ${escapeHtml(apps.powershell.setup ?? 'the PowerShell bridge was not set up at the time of the read.')}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Voice apps — ${escapeHtml(tenant.name)}</title><style>${STYLE}</style></head>
<body>
<h1>Voice apps — ${escapeHtml(tenant.name)}</h1>
<p class="muted">${apps.refreshedAt ? `Read from Teams ${escapeHtml(apps.refreshedAt.replace('T', ' ').slice(0, 16))} UTC` : 'Never read from Teams yet: refresh the Voice apps page first.'}. Printed from UCR Manager; use your browser’s Print to save it as PDF.</p>
<h2>Auto attendants</h2>${bridgeNote}${apps.autoAttendants.map(autoAttendantSection).join('') || (apps.bridge.status === 'read' ? '<p>None.</p>' : '')}
<h2>Call queues</h2>${apps.callQueues.map(callQueueSection).join('') || (apps.bridge.status === 'read' ? '<p>None.</p>' : '')}
<h2>Resource accounts and numbers</h2>${accounts}
</body></html>`;
}
