import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResults, ResultsValidationError } from '../../analysis/results-schema.ts';

const fixture = JSON.parse(readFileSync('test/fixtures/runs/vacation-small/results.json', 'utf8'));

describe('results contract', () => {
  it('accepts the fixture run', () => {
    expect(parseResults(fixture).models.naive?.actions.read?.['db.rows_written']).toBe(20);
  });

  it.each([
    ['a missing runId', { ...fixture, runId: undefined }, 'runId'],
    ['a negative count', { ...fixture, models: { naive: { ...fixture.models.naive, actions: { read: { ...fixture.models.naive.actions.read, count: -1 } } } } }, 'models.naive.actions.read.count'],
    ['an unknown action kind', { ...fixture, models: { naive: { ...fixture.models.naive, actions: { fly: fixture.models.naive.actions.read } } } }, 'models.naive.actions'],
    ['a string where a number belongs', { ...fixture, seed: 'one' }, 'seed'],
    ['not an object at all', 'hello', '(root)'],
  ])('rejects %s, naming the field', (_label, document, field) => {
    expect(() => parseResults(document, 'x.json')).toThrow(ResultsValidationError);
    expect(() => parseResults(document, 'x.json')).toThrow(field);
  });
});
