// JSON.parse forgets where things were; a thresholds error is only useful with a line number.
// This scanner runs after JSON.parse has accepted the text and records the line on which each
// key (or array element) starts, by path.

export type JsonPath = readonly (string | number)[];

export function pathKey(path: JsonPath): string {
  return JSON.stringify(path);
}

export function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** Line numbers (1-based) of every value in a JSON document that JSON.parse accepts. */
export function jsonLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;

  const skipWhitespace = () => {
    while (i < source.length && /\s/.test(source[i]!)) {
      if (source[i] === '\n') line++;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(source.slice(start, i)) as string;
  };
  const value = (path: (string | number)[]) => {
    skipWhitespace();
    if (!lines.has(pathKey(path))) lines.set(pathKey(path), line);
    const c = source[i];
    if (c === '{') {
      i++;
      for (;;) {
        skipWhitespace();
        if (source[i] === '}') break;
        const keyLine = line;
        const key = readString();
        lines.set(pathKey([...path, key]), keyLine);
        skipWhitespace();
        i++; // colon
        value([...path, key]);
        skipWhitespace();
        if (source[i] === ',') i++;
      }
      i++;
    } else if (c === '[') {
      i++;
      for (let index = 0; ; index++) {
        skipWhitespace();
        if (source[i] === ']') break;
        value([...path, index]);
        skipWhitespace();
        if (source[i] === ',') i++;
      }
      i++;
    } else if (c === '"') {
      readString();
    } else {
      while (i < source.length && /[^\s,\]}]/.test(source[i]!)) i++;
    }
  };
  value([]);
  return lines;
}

/** The line of a JSON.parse error, from the character position its message carries. */
export function jsonErrorLine(source: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const explicit = /line (\d+) column \d+/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return lineAt(source, Number(position[1]));
  // "Unexpected end of JSON input" has no position: the end is where it went wrong.
  if (/end of (JSON )?input/i.test(message)) return lineAt(source, source.length);
  return undefined;
}
