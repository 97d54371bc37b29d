// The Node driver's fan-out against the machine's ceiling: `clients` sockets in one process
// receive `messages` pushes each from the bare broadcaster (bench/support/broadcast-server.ts).
// 'bare' is the peers bench's bare `ws` peer, which only counts what arrives; 'acking' is bare
// `ws` answering each push with its delivery ack and nothing else; 'driver' is the chatbench
// peer: the Node driver's own machinery (ClientFleet, SimClient, the `ws` transport, the worker's
// V8 flags), which parses every push, derives state and acks each delivery. Each is timed in its
// own process from the first delivery to the last, and its CPU from the broadcast's start to its
// last delivery: the throughput says who kept up with the one broadcasting process, the CPU per
// delivered message what the client itself can take.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_EXEC_ARGV } from '../../drivers/node/worker-flags.ts';
import { forkTs } from '../../reference-server/fork-ts.ts';
import { processUsage } from '../../drivers/process-usage.ts';

export const FANOUT = { clients: 1000, messages: 200 };

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SATURATION_TIMEOUT_MS = 20_000;

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage).off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`fan-out: a process exited (${code}) while waiting for "${type}"`));
    child.on('message', onMessage).once('exit', onExit);
  });
}

interface Tally {
  received: number;
  firstAt: number;
  lastAt: number;
}

export type FanoutPeer = 'bare' | 'acking' | 'driver';

const PEER_FILES: Record<FanoutPeer, string> = { bare: './peer-ws.ts', acking: './peer-ws-acking.ts', driver: './peer-chatbench.ts' };

export interface FanoutFigures {
  deliveriesPerSecond: number;
  /** the peer process's CPU per 1,000 delivered messages */
  cpuPer1000: number;
}

/**
 * `saturated`: the peer is stopped (SIGSTOP) while the whole broadcast goes into the kernel's
 * socket buffers, then continued: it reads as fast as it can, every read as full as it gets, so
 * the figures are its capacity. Paced (the default), it takes what the one broadcaster sends as
 * it sends it, and a peer that keeps up pays for small reads (more system calls per message).
 */
export async function fanout(mode: FanoutPeer, { clients, messages, saturated } = { ...FANOUT, saturated: false }): Promise<FanoutFigures> {
  const server = forkTs(here('./broadcast-server.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let peer: ChildProcess | undefined;
  try {
    const { port } = await next<{ port: number }>(server, 'listening');
    const env = { ...process.env, CHATBENCH_PEER_URL: `ws://127.0.0.1:${port}`, CHATBENCH_PEER_CLIENTS: String(clients), CHATBENCH_PEER_MESSAGES: String(messages) };
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    peer = forkTs(here(PEER_FILES[mode]), { env, stdio, ...(mode === 'driver' ? { execArgv: WORKER_EXEC_ARGV } : {}) });
    await next(peer, 'ready');
    if (saturated) {
      peer.kill('SIGSTOP');
      const sent = next(server, 'sent');
      server.send({ type: 'go', messages });
      const held = await Promise.race([sent.then(() => true), sleep(SATURATION_TIMEOUT_MS).then(() => false)]);
      if (!held) throw new Error(`fan-out (${mode}, saturated): the kernel's socket buffers did not take ${messages} messages to each of ${clients} sockets within ${SATURATION_TIMEOUT_MS} ms; fewer messages`);
    }
    const cpuBefore = processUsage(peer.pid).cpuMs;
    if (saturated) peer.kill('SIGCONT');
    else server.send({ type: 'go', messages });
    const total = clients * messages;
    for (;;) {
      // polled rarely: the peer answers between deliveries, and its own clock times them
      await sleep(100);
      const tally = next<Tally>(peer, 'received');
      peer.send({ type: 'received' });
      const { received, firstAt, lastAt } = await tally;
      if (received >= total) return { deliveriesPerSecond: total / ((lastAt - firstAt) / 1000), cpuPer1000: (processUsage(peer.pid).cpuMs - cpuBefore) / (total / 1000) };
    }
  } finally {
    // SIGKILL ends a stopped process too
    peer?.kill('SIGKILL');
    server.kill();
  }
}
