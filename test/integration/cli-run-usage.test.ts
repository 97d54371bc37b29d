// Bad input to run, sweep and list: exit 2, a message naming the option and the valid choices,
// and nothing started (these return before any database or server exists).
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('chatbench run/sweep: bad input exits 2 and names the option', () => {
  it.each([
    ['an unknown scenario', ['run', 'vacation'], /unknown scenario "vacation"; valid scenarios: vacation-backlog, group-1000, mass-reconnect, receipts-toggle/],
    ['an unknown parameter', ['run', 'vacation-backlog', '--set', 'pears=3'], /--set pears: unknown parameter of vacation-backlog; valid parameters: pairs, backlog, sendRate/],
    ['a value out of range', ['run', 'vacation-backlog', '--set', 'backlog=0'], /--set backlog=0: out of range; backlog must be from 1 to 10000/],
    ['a value that is not a number', ['run', 'vacation-backlog', '--set', 'pairs=lots'], /--set pairs=lots: expected an integer/],
    ['a fraction where an integer belongs', ['run', 'group-1000', '--set', 'members=2.5'], /--set members=2.5: expected an integer/],
    ['a --set without =', ['run', 'vacation-backlog', '--set', 'pairs'], /--set "pairs": expected key=value/],
    ['an unknown model', ['run', 'vacation-backlog', '--models', 'naive,clever'], /--models: unknown model "clever"; valid models: naive, watermark/],
    ['an unknown driver', ['run', 'vacation-backlog', '--driver', 'gatling'], /--driver: unknown driver "gatling"; valid drivers: node/],
    ['a bad seed', ['run', 'vacation-backlog', '--seed', 'x'], /--seed x: expected an integer/],
    ['too many nodes', ['run', 'vacation-backlog', '--nodes', '99'], /--nodes 99: expected an integer from 1 to 8/],
    ['an impossible combination', ['run', 'receipts-toggle', '--set', 'conversations=5', '--set', 'opens=9'], /--set opens=9: at most conversations \(5\)/],
    ['a sweep of an unknown parameter', ['sweep', 'vacation-backlog', '--vary', 'size=1,2'], /--vary size: unknown parameter of vacation-backlog/],
    ['a sweep with one value', ['sweep', 'vacation-backlog', '--vary', 'backlog=5'], /--vary backlog: give at least two comma-separated values/],
    ['a sweep with a bad value', ['sweep', 'vacation-backlog', '--vary', 'backlog=5,0'], /--set backlog=0: out of range/],
    ['an unknown command', ['runn', 'vacation-backlog'], /unknown command 'runn'/],
    ['an unknown option', ['run', 'vacation-backlog', '--fast'], /unknown option '--fast'/],
  ])('%s', (_label, args, message) => {
    const result = runCli(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('list --json describes every scenario with its parameters, and the models', () => {
    const result = runCli(['list', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.scenarios.map((scenario: { id: string }) => scenario.id)).toEqual(['vacation-backlog', 'group-1000', 'mass-reconnect', 'receipts-toggle']);
    expect(listing.scenarios[0].params.backlog).toMatchObject({ default: 50, min: 1, unit: 'messages' });
    expect(listing.models.map((model: { id: string }) => model.id)).toEqual(['naive', 'watermark']);
  });
});
