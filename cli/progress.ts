// Progress for long work: one rewritten status line on a TTY; silent with --json, in CI, or when
// stderr is not a terminal, so output stays parseable.
export interface Progress {
  update(line: string): void;
  /** a line that stays (phase results, warnings) */
  note(line: string): void;
  done(): void;
}

export function createProgress(options: { json?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const live = Boolean(stream.isTTY) && !options.json && !process.env.CI;
  let shown = false;
  let last = 0;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(line) {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      clear();
      stream.write(line.slice(0, (stream.columns ?? 100) - 1));
      shown = true;
    },
    note(line) {
      if (options.json) return;
      clear();
      stream.write(`${line}\n`);
    },
    done() {
      clear();
    },
  };
}
