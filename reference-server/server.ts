// The reference WebSocket chat server: one storage model, its pool passed in, every statement
// counted. Frames from one connection are handled in order; connections run concurrently.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { tokenOf, verifyToken } from './auth.ts';
import { ConversationCache } from './conversations.ts';
import { readWarmRequest } from './warm.ts';
import { AUDIT_DEFAULTS, AttributionAudit, type AuditReport } from './db/audit.ts';
import { CountingDb } from './db/query-layer.ts';
import { countWritten, handleFrame, type ConnectionState, type HandlerContext } from './handlers.ts';
import { LIMIT_DEFAULTS, UserBudgets, resolveLimits } from './limits.ts';
import { frameSize, waitDrained, writeBounded } from './backpressure.ts';
import { Heartbeat, guardHandshakes } from './liveness.ts';
import { resourceErrorCode, ServerMetrics, type ServerMetricsSnapshot } from './metrics.ts';
import type { Redis } from 'ioredis';
import type { ModelDefinition, PendingWindow } from './models/types.ts';
import { defaultOptions } from './models/options.ts';
import { CLOSE_CODES, FrameError, MAX_FRAME_BYTES, parseClientFrame, type ServerFrame } from './protocol.ts';
import { LocalSessions, type ClientSocket, type PresenceCause, type SessionRegistry } from './sessions.ts';

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxFrameBytes: MAX_FRAME_BYTES,
  nodeId: 'node-1',
  /** after the first frame of each action kind, one frame in this many runs audited (0: none) */
  auditEvery: AUDIT_DEFAULTS.every,
  /** what one client may cost: rates, buffers, sync pages, timeouts (see limits.ts) */
  ...LIMIT_DEFAULTS,
};

export interface ChatServerOptions extends Partial<typeof SERVER_DEFAULTS> {
  model: ModelDefinition;
  /** the model's options, already validated; defaults where absent */
  modelOptions?: Record<string, number>;
  /** handed to a model whose capabilities ask for Redis */
  redis?: Redis;
  pool: pg.Pool;
  secret: string;
  sessions?: SessionRegistry;
  log?: (line: string) => void;
}

/** presence frames pushed, per cause (they are not status traffic, so kept apart from `pushes`) */
export type PresenceCounters = Record<PresenceCause, { events: number; bytes: number }>;

export interface NodeMetricsSnapshot extends ServerMetricsSnapshot {
  presence: PresenceCounters;
  /** users who came online / went offline on this node (presence transitions) */
  presenceTransitions: { online: number; offline: number };
  /** the session registry's own counters (cluster mode: routed frames, dead nodes cleaned up) */
  registry?: Record<string, number>;
  /** frames whose writes were checked against Postgres's per-transaction counters */
  audit: AuditReport;
  /** acknowledged but not yet in Postgres (models that buffer): what a crash now would lose */
  pending?: PendingWindow;
}

export interface ChatServer {
  readonly port: number;
  readonly url: string;
  metrics(): NodeMetricsSnapshot;
  /** writes whatever the model buffers to Postgres (the run engine drains before WAL marks and checks) */
  drain(): Promise<void>;
  /** drops every connection abruptly (fault injection: a crashed node) without stopping */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const config = { ...SERVER_DEFAULTS, ...options };
  const limits = resolveLimits(options);
  const budgets = new UserBudgets(limits);
  const db = new CountingDb(options.pool);
  const metrics = new ServerMetrics();
  const log = options.log ?? (() => {});
  const definition = options.model;
  if (definition.capabilities.redis && !options.redis) throw new Error(`model ${definition.id} keeps its state in Redis: give the node a Redis (--redis-url)`);
  const model = definition.create({
    db,
    options: { ...defaultOptions(definition.id), ...options.modelOptions },
    ...(definition.capabilities.redis ? { redis: options.redis } : {}),
    count: (action) => metrics.counted(action),
    log,
  });
  const sessions: SessionRegistry = options.sessions ?? new LocalSessions();
  const audit = new AttributionAudit(db, options.pool, config.auditEvery);
  const ctx: HandlerContext = { model, db, audit, conversations: new ConversationCache(), sessions, metrics, limits };
  const sockets = new Set<WebSocket>();
  const presence: PresenceCounters = { connect: { events: 0, bytes: 0 }, disconnect: { events: 0, bytes: 0 }, open: { events: 0, bytes: 0 } };
  sessions.attach(
    {
      routed: (frameType, action, bytes) => countWritten(metrics, frameType, action, bytes),
      presence(cause, bytes) {
        presence[cause].events += 1;
        presence[cause].bytes += bytes;
        metrics.framesOut += 1;
      },
    },
    (reason) => {
      // frames routed here while the registry was unreachable are gone (pub/sub keeps nothing):
      // every client must reconnect and sync from its cursor, which loses nothing stored
      metrics.error('registry_lost');
      log(`session registry lost (${reason}): dropping ${sockets.size} connections so they resync`);
      for (const ws of sockets) ws.close(CLOSE_CODES.registryLost, 'session registry lost');
    },
  );
  const snapshot = (): NodeMetricsSnapshot => ({
    ...metrics.snapshot(config.nodeId, definition.id, db.snapshot()),
    presence: structuredClone(presence),
    presenceTransitions: sessions.transitions?.() ?? { online: 0, offline: 0 },
    ...(sessions.stats ? { registry: sessions.stats() } : {}),
    audit: audit.report(),
    ...(model.pending ? { pending: model.pending() } : {}),
  });

  const http: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(snapshot()));
    } else if (request.method === 'POST' && request.url === '/drain') {
      // a run engine on another machine (k6 coordinate) drains a buffering model before its WAL marks
      Promise.resolve(model.flush?.()).then(
        () => response.writeHead(204).end(),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error)),
      );
    } else if (request.method === 'POST' && request.url === '/warm') {
      // devices restored offline (bulk history): their users' conversations, as their logins would have loaded them
      readWarmRequest(request).then(
        (userIds) => ctx.conversations.preload(db.for('setup'), userIds).then(() => response.writeHead(204).end()),
        (error: unknown) => response.writeHead(400, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error)),
      ).catch((error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error)));
    } else if (request.method === 'POST' && request.url === '/metrics/reset-timeline') {
      metrics.resetTimeline();
      response.writeHead(204).end();
    } else if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, model: definition.id, nodeId: config.nodeId }));
    } else {
      response.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });

  const handshakes = guardHandshakes(http, limits.handshakeTimeoutMs, () => metrics.error('handshake_timeout'));
  const heartbeat = new Heartbeat(limits.idleTimeoutMs, () => metrics.error('idle_timeout'));
  const sweeper = setInterval(() => budgets.sweep(), 10_000);
  sweeper.unref();
  /** each connection's frame queue: close() waits for them, so no late frame meets an ended pool */
  const queues = new Map<WebSocket, Promise<unknown>>();
  let closed = false;

  http.on('upgrade', (request, socket, head) => {
    // a client arriving while the node stops gets no session (the pool may be ending): it retries elsewhere
    if (closed) return void socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => {
      handshakes.upgraded(socket as Socket);
      onConnection(ws, request);
    });
  });

  function onConnection(ws: WebSocket, request: IncomingMessage): void {
    // first, before any early return: an 'error' with no listener (a refused client that sends an
    // oversized frame before our close lands) would be thrown and take the whole server down
    ws.on('error', (error) => {
      // oversize frames arrive here (close 1009)
      metrics.error(/max payload/i.test(error.message) ? 'frame_too_big' : 'socket');
    });
    const userId = verifyToken(options.secret, tokenOf(request));
    if (userId === undefined) {
      metrics.error('unauthorized');
      ws.send(JSON.stringify({ type: 'error', code: 'unauthorized', message: 'missing or invalid token' } satisfies ServerFrame));
      ws.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    if (!budgets.connect(userId)) {
      metrics.error('too_many_connections');
      ws.send(JSON.stringify({ type: 'error', code: 'rate_limited', message: `over ${limits.maxConnectionsPerUser} connections for this user` } satisfies ServerFrame));
      ws.close(CLOSE_CODES.tooManyConnections, 'too many connections');
      return;
    }
    sockets.add(ws);
    heartbeat.watch(ws);
    metrics.connected();
    /** set once the connection is closing for any reason: queued frames are dropped, not run */
    let gone = false;
    const closeAs = (code: number, reason: string) => {
      if (gone) return;
      gone = true;
      ws.close(code, reason);
      // a client that does not read never completes the close handshake: free its buffers anyway
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    const closeAsSlow = () => {
      metrics.error('slow_consumer');
      closeAs(CLOSE_CODES.slowConsumer, 'slow consumer');
    };
    const client: ClientSocket = {
      userId,
      sendText(text) {
        if (ws.readyState !== ws.OPEN || gone) return 0;
        return writeBounded(ws, text, limits.maxBufferedBytes, closeAsSlow);
      },
    };
    const conn: ConnectionState = {
      userId,
      socket: client,
      synced: false,
      reply: (frame) => client.sendText(JSON.stringify(frame)),
      drained: () =>
        waitDrained(ws, limits.maxBufferedBytes / 4, limits.slowConsumerMs, () => gone).then((drained) => {
          if (!drained && !gone) closeAsSlow();
          return drained && !gone;
        }),
    };
    let queued = 0;
    let queuedBytes = 0;
    let refused = 0;
    /** closing (flood, or no registry): what still arrives is dropped unanswered */
    let closingForFlood = false;
    // the first frame (sync) waits for the session to be visible to every node, or a message
    // committed between the sync's read and the registration would reach no one
    let queue = sessions.register(client).catch((error: unknown) => {
      metrics.error('registry_unavailable');
      log(`user ${userId}: session registry unavailable: ${error instanceof Error ? error.message : String(error)}`);
      closingForFlood = true;
      closeAs(CLOSE_CODES.tryAgainLater, 'session registry unavailable');
    });

    ws.on('message', (data, isBinary) => {
      heartbeat.heard(ws);
      // closing as abusive: what still arrives is dropped unanswered
      if (closingForFlood || gone) return;
      const size = frameSize(data);
      const budget = budgets.take(userId);
      if (budget.full) refused = 0;
      if (!budget.ok || queued >= limits.maxQueuedFrames || queuedBytes + size > limits.maxQueuedBytes) {
        metrics.error('rate_limited');
        refused += 1;
        if (refused >= limits.floodCloseAfter) {
          closingForFlood = true;
          // frames accepted before the flood are stored: their acks must reach the client first
          void queue.then(() => closeAs(CLOSE_CODES.flood, 'flood'));
        } else conn.reply({ type: 'error', code: 'rate_limited', message: `over ${limits.framesPerSecond} frames per second for this user` });
        return;
      }
      queued += 1;
      queuedBytes += size;
      const text = isBinary ? null : data.toString();
      queue = queue
        .then(async () => {
          // the client is gone (or being closed): its queued frames would only keep the database busy
          if (gone || ws.readyState !== ws.OPEN) return;
          if (text === null) throw new FrameError('invalid_frame', 'binary frames are not part of the protocol');
          await handleFrame(ctx, conn, parseClientFrame(text));
        })
        .catch((error: unknown) => {
          if (error instanceof FrameError) {
            metrics.error(error.code);
            conn.reply({ type: 'error', code: error.code, message: error.message, ...(error.ref ? { ref: error.ref } : {}) });
          } else {
            metrics.error('internal');
            log(`user ${userId}: ${error instanceof Error ? error.message : String(error)}`);
            conn.reply({ type: 'error', code: 'internal', message: 'the server could not handle this frame' });
          }
        })
        .finally(() => {
          queued -= 1;
          queuedBytes -= size;
        });
      queues.set(ws, queue);
    });
    ws.on('close', () => {
      gone = true;
      sockets.delete(ws);
      budgets.disconnect(userId);
      // after the registration settled, so a fast close cannot leave a stale session behind
      const last = queue
        .then(() => sessions.unregister(client))
        .catch((error: unknown) => log(`user ${userId}: unregister: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => queues.delete(ws));
      queues.set(ws, last);
      metrics.disconnected();
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    // a reconnect storm opens thousands of sockets at once: Node's default backlog (511) drops some
    http.listen({ port: config.port, host: config.host, backlog: 8192 }, () => resolve());
  });
  // accept() failing for want of descriptors (EMFILE) is a figure, never an unheard error
  http.on('error', (error) => metrics.error(resourceErrorCode(error)));
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${config.host}:${port}`,
    metrics: snapshot,
    async drain() {
      await model.flush?.();
    },
    dropAll() {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      if (closed) return;
      closed = true;
      heartbeat.stop();
      clearInterval(sweeper);
      for (const ws of sockets) ws.close(CLOSE_CODES.shuttingDown, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      for (const ws of sockets) ws.terminate();
      // frames already queued finish before the model and the pool close under them
      await Promise.allSettled([...queues.values()]);
      // a graceful stop loses nothing: what the model buffers goes to Postgres before the pool closes
      await model.close?.();
      metrics.stop();
      await sessions.close();
    },
  };
}
