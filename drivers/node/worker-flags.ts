// V8 flags of a Node load-generator process (the driver's workers, and the peers bench's
// chatbench peer, which stands for one). A worker's garbage is short-lived and large in volume:
// every delivered message is parsed, acked and dropped. With V8's default young generation
// (semi-spaces growing to 16 MiB each) a broadcast to thousands of clients grew the heap in
// step with the traffic, and what a scavenge found in flight was promoted and held until a full
// collection: 33 KB of resident memory per client after a broadcast against 16 KB connected
// before it. A 1 MiB semi-space keeps garbage to a small, often-swept young generation
// (about 18 KB per client after the same broadcast); a scavenge of a worker's few live young
// objects is cheap, so throughput did not measurably change.
export const WORKER_EXEC_ARGV = ['--max-semi-space-size=1'];
