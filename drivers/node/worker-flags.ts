// V8 flags of a Node load-generator process (the driver's workers, and the peers bench's
// chatbench peer, which stands for one). A worker's garbage is large in volume and short-lived
// (every handshake's, every delivered message's), and some of it is always in flight when the
// young generation is swept, so it is promoted. V8's default lets the old generation grow to
// about twice what was live after its last full collection before collecting again: in a worker
// that headroom fills with promoted garbage, and it grew with the clients held (33 KB resident
// per client after a broadcast to 5,000, against 16 KB connected before it; bare `ws` 22 KB).
// Growing it by 10 % instead keeps the heap close to the clients' live state: 11 KB per client
// after the broadcast, 12 KB connected (peers bench, medians of 3). A full collection costs in
// proportion to what is live, which in a worker is small: CPU per delivered message to 1,000
// clients, five interleaved runs each, was 25.4 ms without the flag and 22.0 ms with it (noise).
// A 1 MiB semi-space was tried first: 18 KB after, but 25 KB connected (more of the connects'
// garbage promoted) and 1.5x the CPU per delivered message.
export const WORKER_EXEC_ARGV = ['--heap-growing-percent=10'];
