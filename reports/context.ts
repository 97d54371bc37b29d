// Where a run's figures came from and how to get them again.
import type { RunResults } from '../analysis/results-schema.ts';
import { html, type Html } from './escape.ts';
import { formatBytes } from './figures.ts';

export function reproduceCommand(results: RunResults): string {
  if (results.command) return results.command;
  // older results carry no command: rebuild the equivalent from the recorded inputs
  const sets = Object.entries(results.params).map(([k, v]) => ` --set ${k}=${v}`).join('');
  return `chatbench run ${results.scenario}${sets} --seed ${results.seed} --driver ${results.driver}`;
}

export function contextSection(results: RunResults): Html {
  const m = results.machine;
  const rows: Array<[string, unknown]> = [
    ['run id', results.runId],
    ['scenario', results.scenario],
    ['parameters', Object.entries(results.params).map(([k, v]) => `${k}=${v}`).join(', ') || '(defaults)'],
    ['seed', results.seed],
    ['driver', results.driver],
    ['server nodes', results.nodes ?? 1],
    ['models', Object.keys(results.models).join(', ')],
    ['git sha', results.gitSha || 'unknown'],
    ['started', results.startedAt],
    ['finished', results.finishedAt ?? 'unknown'],
    ['machine', m ? `${m.cores} cores, ${formatBytes(m.memoryBytes)} memory, ${m.platform}${m.cpuModel ? `, ${m.cpuModel}` : ''}, Node ${m.node}` : 'not recorded'],
    ['Postgres', results.postgresVersion ?? 'not recorded'],
  ];
  if (results.sweepId) rows.push(['sweep', results.sweepId]);
  return html`<section class="context"><h3>Context</h3>
<table class="context"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
<p>Reproduce with:</p><pre><code>${reproduceCommand(results)}</code></pre></section>`;
}
