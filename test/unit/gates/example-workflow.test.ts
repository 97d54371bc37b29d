// The example workflow is copied by users as is: its gate step must only use options the gate
// has and thresholds files that exist, so renaming either breaks this test, not their CI.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadGateFile } from '../../../analysis/gates/thresholds.ts';
import registerGate from '../../../cli/commands/gate.ts';

const workflow = readFileSync('examples/github-actions.yml', 'utf8');

/** The arguments after `npx chatbench <command>` in the folded `run: >` block that starts with it. */
function step(command: string): string[] {
  const lines = workflow.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(`npx chatbench ${command}`));
  expect(start, `a step running "npx chatbench ${command}"`).toBeGreaterThan(0);
  const indent = lines[start]!.search(/\S/);
  const block = [];
  for (const line of lines.slice(start)) {
    if (line.trim() !== '' && line.search(/\S/) < indent) break;
    block.push(line.trim());
  }
  return block.join(' ').split(/\s+/).filter(Boolean).slice(3);
}

describe('examples/github-actions.yml', () => {
  it('gates with options the gate command has, writing JUnit and a summary', async () => {
    const program = new Command();
    registerGate(program);
    const known = program.commands[0]!.options.map((o) => o.long);
    const args = step('gate');
    const used = args.filter((a) => a.startsWith('--'));
    expect(used).toEqual(expect.arrayContaining(['--thresholds', '--junit', '--summary', '--results']));
    for (const option of used) expect(known, option).toContain(option);
    const thresholds = args[args.indexOf('--thresholds') + 1]!;
    const file = await loadGateFile(thresholds);
    // The run step must make the workload the thresholds file is for.
    const run = step('run');
    expect(run[0]).toBe(file.scenario);
    for (const [key, value] of Object.entries(file.params ?? {})) expect(run, key).toContain(`${key}=${value}`);
    expect(run[run.indexOf('--out') + 1]).toBe(args[args.indexOf('--results') + 1]);
  });

  it('sets up Node 20, installs against the lock and uploads the output', () => {
    expect(workflow).toMatch(/node-version: 20/);
    expect(workflow).toMatch(/run: npm install/);
    expect(workflow).toMatch(/uses: actions\/upload-artifact@v4/);
  });
});
