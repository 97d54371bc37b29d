// `chatbench serve` as users run it: a real process, a real client, then SIGTERM. Nothing it
// started may outlive it: not its embedded Postgres, not the temp directory that holds it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { mintToken } from '../../reference-server/auth.ts';
import { createDatabase } from '../../reference-server/db/postgres.ts';
import { testRedis } from '../support/redis.ts';
import { TestClient } from '../support/ws-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'serve-test-secret';

interface Served {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServe(args: string[]): Served {
  const child = spawn(process.execPath, ['bin/chatbench.mjs', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor<T>(what: string, served: Served, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (served.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${what}; exit ${served.child.exitCode}; stdout:\n${served.stdout()}\nstderr:\n${served.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** every process below `root`, with its command line */
function descendants(root: number): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }));
  const found: { pid: number; args: string }[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const row of rows.filter((candidate) => candidate.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      queue.push(row.pid);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function wsUrlOf(stdout: string): string | undefined {
  return /^\s+ws\s+(ws:\/\/\S+?)\/\?token=/m.exec(stdout)?.[1];
}

describe('chatbench serve', () => {
  it('serves a client on embedded Postgres and leaves no process or temp dir behind after SIGTERM', async () => {
    const served = startServe(['--model', 'watermark', '--port', '0', '--secret', SECRET]);
    const url = await waitFor('ws URL on stdout', served, () => wsUrlOf(served.stdout()));
    expect(served.stdout()).toMatch(/metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
    // the printed demo tokens are the ones the token command would mint
    expect(served.stdout()).toContain(`user 2   ${url}/?token=${mintToken(SECRET, 2)}`);

    const alice = await TestClient.connect(url, mintToken(SECRET, 1));
    const bob = await TestClient.connect(url, mintToken(SECRET, 2));
    await alice.sync();
    await bob.sync();
    const ack = await alice.sendMessage(1, 'hello');
    expect(ack).toMatchObject({ conversationId: 1, seq: 1, duplicate: false });
    expect(await bob.next('msg')).toMatchObject({ conversationId: 1, seq: 1, senderId: 1 });
    const metrics = (await (await fetch(url.replace('ws:', 'http:') + '/metrics')).json()) as { model: string; connections: { open: number } };
    expect(metrics).toMatchObject({ model: 'watermark', connections: { open: 2 } });

    const children = descendants(served.child.pid!);
    const postgres = children.filter((child) => /postgres/.test(child.args));
    expect(postgres.length).toBeGreaterThan(0);
    const dataDir = /-D\s+(\S+)/.exec(postgres.map((child) => child.args).join(' '))?.[1];
    expect(dataDir).toBeDefined();

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(await alice.waitClosed()).toBe(1001);
    expect(served.stderr()).toContain('stopped');
    expect(served.stderr()).not.toMatch(/TypeError|Error:/);
    // postgres backends take a moment to go after the postmaster says it is done
    const deadline = Date.now() + 10_000;
    while (children.some((child) => alive(child.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(children.filter((child) => alive(child.pid))).toEqual([]);
    expect(existsSync(dataDir!)).toBe(false);
    expect(existsSync(dataDir!.replace(/\/data$/, ''))).toBe(false);
  });

  it('migrates a --pg-url database in place, keeps its data, and refuses it to another model', async () => {
    const database = await createDatabase(inject('pgAdminUrl'), 'cbserve');
    onTestFinished(() => database.drop());
    const databaseUrl = database.url;
    const first = startServe(['--model', 'naive', '--port', '0', '--secret', SECRET, '--pg-url', databaseUrl]);
    const url = await waitFor('ws URL on stdout', first, () => wsUrlOf(first.stdout()));
    expect(first.stdout()).toContain('migrated: common/001_base.sql, naive/001_status_column.sql');
    const alice = await TestClient.connect(url, mintToken(SECRET, 1));
    await alice.sync();
    await alice.sendMessage(2, 'kept');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    // the same model again: nothing to migrate, demo users not added twice, the message still there
    const again = startServe(['--model', 'naive', '--port', '0', '--secret', SECRET, '--pg-url', databaseUrl]);
    await waitFor('ws URL on stdout', again, () => wsUrlOf(again.stdout()));
    expect(again.stdout()).toContain('schema up to date');
    expect(again.stdout()).not.toContain('demo');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    const other = startServe(['--model', 'watermark', '--port', '0', '--pg-url', databaseUrl]);
    expect(await other.exited).toBe(1);
    expect(other.stderr()).toContain('another model (naive/001_status_column.sql), not of "watermark"');

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const rows = await client.query('SELECT body FROM messages');
      expect(rows.rows).toEqual([{ body: 'hi' }]);
      expect((await client.query("SELECT to_regclass('message_status') AS t")).rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('rejects an unknown model with exit 2, naming the valid ones', async () => {
    const served = startServe(['--model', 'nope']);
    expect(await served.exited).toBe(2);
    expect(served.stderr()).toContain('--model: unknown model "nope"; valid models: naive, watermark');
  });

  it('mints the same token as the server expects', () => {
    const out = execFileSync(process.execPath, ['bin/chatbench.mjs', 'token', '7', '--secret', SECRET], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe(mintToken(SECRET, 7));
  });
});

describe('chatbench serve in cluster mode', () => {
  let redisUrl = '';
  beforeAll(async () => {
    redisUrl = (await testRedis()).url;
  });

  it('routes a message from a client on one node to a client on another, through one Redis and one database', async () => {
    const database = await createDatabase(inject('pgAdminUrl'), 'cbservecluster');
    onTestFinished(() => database.drop());
    const common = ['--model', 'watermark', '--port', '0', '--secret', SECRET, '--pg-url', database.url, '--redis-url', redisUrl];
    const first = startServe([...common, '--node-id', 'a']);
    onTestFinished(() => void first.child.kill('SIGKILL'));
    const firstUrl = await waitFor('first node URL', first, () => wsUrlOf(first.stdout()));
    // the second node finds the schema and demo users the first one made
    const second = startServe([...common, '--node-id', 'b']);
    onTestFinished(() => void second.child.kill('SIGKILL'));
    const secondUrl = await waitFor('second node URL', second, () => wsUrlOf(second.stdout()));
    const alice = await TestClient.connect(firstUrl, mintToken(SECRET, 1));
    const bob = await TestClient.connect(secondUrl, mintToken(SECRET, 2));
    await alice.sync();
    await bob.sync();
    const ack = await alice.sendMessage(1, 'across');
    const pushed = await bob.next('msg', (frame) => frame.seq === ack.seq);
    expect(pushed).toMatchObject({ conversationId: 1, senderId: 1, body: 'hi' });
    bob.send({ type: 'read', conversationId: 1, upToSeq: ack.seq });
    expect(await alice.next('status_update')).toMatchObject({ conversationId: 1, userId: 2, lastReadSeq: ack.seq });
    alice.close();
    bob.close();
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
  });

  it('exits 1 naming the URL when Redis cannot be reached', async () => {
    const served = startServe(['--model', 'naive', '--port', '0', '--redis-url', 'redis://127.0.0.1:1']);
    expect(await served.exited).toBe(1);
    expect(served.stderr()).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1\/? is not reachable/);
  });

  it('rejects a node id that cannot name Redis keys', async () => {
    const served = startServe(['--model', 'naive', '--node-id', 'a b']);
    expect(await served.exited).toBe(2);
    expect(served.stderr()).toMatch(/--node-id must be/);
  });
});

describe('chatbench serve --model-opt', () => {
  it.each([
    [['--model', 'write-behind', '--model-opt', 'write-behind.flushMs=0'], /--model-opt write-behind.flushMs=0: out of range; flushMs must be from 1 to 600000/],
    [['--model', 'naive', '--model-opt', 'hybrid.threshold=3'], /--model-opt hybrid.threshold: hybrid is not among the models of this run \(naive\)/],
    [['--model', 'hybrid', '--model-opt', 'hybrid.size=3'], /--model-opt hybrid.size: unknown option of hybrid; valid options: threshold/],
  ])('rejects a bad model option before starting anything: %j', async (args, message) => {
    const served = startServe(args);
    expect(await served.exited).toBe(2);
    expect(served.stderr()).toMatch(message);
  });
});
