import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertRunId, InvalidIdentifierError, sqlString, toNumber, trimStatement, tsvEscape, tsvUnescape } from '../../../analysis/store/sql.ts';

describe('SQL text helpers', () => {
  it('accepts run ids as chatbench makes them', () => {
    for (const id of ['fixture-vacation-small', '2026-11-23T00:00:00Z-abc123', 'a', 'run_1.2']) expect(assertRunId(id)).toBe(id);
  });

  it.each([["x' OR '1'='1"], [''], ['a b'], ['../etc'], ['-leading-dash'], ['x'.repeat(129)], [42], [undefined], ['tab\there']])(
    'rejects run id %j, naming it',
    (bad) => {
      expect(() => assertRunId(bad)).toThrow(InvalidIdentifierError);
      expect(() => assertRunId(bad, 'baseline run id')).toThrow(/^baseline run id /);
    },
  );

  it('quotes any text into a literal that cannot end early', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('back\\slash')).toBe("'back\\\\slash'");
    fc.assert(
      fc.property(fc.string(), (text) => {
        const literal = sqlString(text);
        // Every quote inside is escaped: removing escaped pairs leaves exactly the two delimiters.
        expect(literal.slice(1, -1).replace(/\\./g, '').includes("'")).toBe(false);
      }),
    );
  });

  it('round-trips any text through TSV escaping, one line per value', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = tsvEscape(text);
        expect(escaped).not.toMatch(/[\t\n\r]/);
        expect(tsvUnescape(escaped)).toBe(text);
      }),
    );
  });

  it('drops trailing semicolons only', () => {
    expect(trimStatement(' SELECT 1;; ')).toBe('SELECT 1');
    expect(trimStatement("SELECT ';'")).toBe("SELECT ';'");
  });

  it('reads numbers the way both engines return them', () => {
    expect(toNumber('96', 'n')).toBe(96);
    expect(toNumber(2.5, 'n')).toBe(2.5);
    expect(() => toNumber('abc', 'count')).toThrow('count: expected a number, got "abc"');
    expect(() => toNumber(null, 'count')).toThrow('count');
    expect(() => toNumber('', 'count')).toThrow('count');
  });
});
