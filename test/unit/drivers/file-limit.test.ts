// A node's share of clients against its open-file limit: refused before the run, naming --nodes.
import { describe, expect, it } from 'vitest';
import { clientsPerNode, fileLimitProblem } from '../../../drivers/file-limit.ts';
import { resolveParams } from '../../../scenarios/define.ts';
import { SCENARIOS } from '../../../scenarios/registry.ts';

const storm = (users: number) => SCENARIOS['mass-reconnect']!.plan(resolveParams(SCENARIOS['mass-reconnect']!, [`users=${users}`, 'conversations=1', 'changes=1']) as never, 1);

describe('fileLimitProblem', () => {
  it('counts the most clients one phase puts on each node', () => {
    expect(clientsPerNode(storm(3000), 1)).toEqual([3000]);
    expect(clientsPerNode(storm(3000), 2)).toEqual([1500, 1500]);
  });

  it('refuses a node share over the limit in one line naming --nodes, and accepts it split', () => {
    const problem = fileLimitProblem(storm(3000), 1, 2000);
    expect(problem).toMatch(/^--nodes 1: a node would hold 3000 client sockets, over its open-file limit \(ulimit -n 2000.*use --nodes 3 or more/);
    expect(problem).not.toContain('\n');
    expect(fileLimitProblem(storm(3000), 2, 2100)).toBeUndefined();
    expect(fileLimitProblem(storm(3000), 1, undefined)).toBeUndefined();
  });
});
