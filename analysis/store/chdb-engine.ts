// Embedded ClickHouse (chDB) in this process. libchdb binds one data directory per process, so
// this module tracks the one that is open and refuses a second directory until it is closed;
// across processes the pid lock file (lock.ts) keeps a second chatbench out. The library (over
// 500 MB) is imported when a store is first opened, never at start-up: a `--no-store` run and
// every command that stores nothing leave it unloaded.
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Session } from 'chdb';
import { firstLine, StoreQueryError, StoreUnavailableError, type SqlEngine } from './engine.ts';
import { sqlString } from './sql.ts';
import { acquireStoreLock, type StoreLock } from './lock.ts';

let openDir: { dir: string; users: number } | undefined;
let chdb: typeof import('chdb') | undefined;
let batchCounter = 0;

export async function openChdbEngine(dataDir: string, options: { lockTimeoutMs?: number } = {}): Promise<SqlEngine> {
  const dir = resolve(dataDir);
  if (openDir && openDir.dir !== dir) {
    throw new StoreUnavailableError(
      `chDB can open one data directory per process: ${openDir.dir} is open, so ${dir} cannot be; close that store first`,
    );
  }
  const lock = await acquireStoreLock(dir, { timeoutMs: options.lockTimeoutMs });
  let session: Session;
  try {
    chdb ??= await import('chdb');
    session = new chdb.Session(dir);
  } catch (error) {
    lock.release();
    throw new StoreUnavailableError(`cannot open the chDB store at ${dataDir}: ${firstLine(error)}`);
  }
  openDir = { dir, users: (openDir?.users ?? 0) + 1 };
  return new ChdbEngine(session, dataDir, lock);
}

class ChdbEngine implements SqlEngine {
  readonly kind = 'chdb';
  private closed = false;

  constructor(
    private readonly session: Session,
    readonly location: string,
    private readonly lock: StoreLock,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.run(() => this.session.queryAsync(sql, { format: 'TabSeparated' }));
  }

  async select<Row>(sql: string): Promise<Row[]> {
    const result = await this.run(() => this.session.queryAsync(sql, { format: 'JSONEachRow' }));
    const text = result.text();
    const rows: Row[] = [];
    for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as Row);
    return rows;
  }

  async readOnly(): Promise<void> {
    // a session setting: it holds for every later statement of this session, and a session in
    // readonly=1 cannot set it back
    await this.exec('SET readonly = 1');
  }

  async insertTsv(table: string, columns: readonly string[], tsv: Buffer): Promise<void> {
    if (tsv.length === 0) return;
    await this.run(() => this.session.insert({ table, columns, values: tsv, format: 'TabSeparated' }));
  }

  async insertRowBinary(table: string, structure: string, payload: Buffer): Promise<void> {
    if (payload.length === 0) return;
    // chDB's insert API takes text formats only; its file() table function reads RowBinary
    const file = join(tmpdir(), `chatbench-rows-${process.pid}-${++batchCounter}.bin`);
    await writeFile(file, payload);
    try {
      const columns = structure.split(',').map((column) => column.trim().split(/\s+/)[0]).join(', ');
      await this.run(() => this.session.queryAsync(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(structure)})`, { format: 'TabSeparated' }));
    } finally {
      await rm(file, { force: true });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
    // The native connection can outlive close() while work drains; the directory is only free
    // (for another directory in this process, or another process) after that.
    await chdb?.drainPending();
    if (openDir && --openDir.users === 0) openDir = undefined;
    this.lock.release();
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`the chDB store at ${this.location} is closed`);
    try {
      return await operation();
    } catch (error) {
      throw new StoreQueryError(firstLine(error));
    }
  }
}
