// The README's sample summary must be what the code prints for the fixture, not a hand-typed
// approximation: regenerate it with the command the README gives when this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../../analysis/gates/evaluate.ts';
import { renderMarkdown } from '../../../analysis/gates/markdown.ts';
import { loadGateFile } from '../../../analysis/gates/thresholds.ts';
import { fixtureRun } from './fixture.ts';

describe('README "CI gates"', () => {
  it('shows the Markdown summary the gate renders for the fixture and examples/thresholds.ts', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const sample = /<!-- gate-summary:start -->\n([\s\S]*?)\n<!-- gate-summary:end -->/.exec(readme);
    expect(sample, 'README has the gate-summary markers').not.toBeNull();
    const file = await loadGateFile('examples/thresholds.ts');
    const generated = renderMarkdown(evaluateGate([fixtureRun()], file.thresholds));
    expect(sample![1]).toBe(generated.trimEnd());
  });
});
