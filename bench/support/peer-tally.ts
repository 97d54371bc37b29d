// What a bench peer reports to the bench over IPC: "ready" once every client is connected (and,
// for chatbench's clients, synced: a push before that would find no conversation), and on a
// "received" request the deliveries so far with the first and the last one's time (the peer's
// own performance clock), from which a fan-out rate is taken without the IPC's delay in it.
// Every peer counts through this, so each pays the same for being measured.
export function peerTally(): { delivered: () => void; ready: () => void } {
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  process.on('message', (message: { type: string }) => {
    if (message.type === 'received') process.send?.({ type: 'received', received, firstAt, lastAt });
  });
  process.on('disconnect', () => process.exit(0));
  return {
    delivered() {
      lastAt = performance.now();
      if (received++ === 0) firstAt = lastAt;
    },
    ready() {
      process.send?.({ type: 'ready' });
    },
  };
}
