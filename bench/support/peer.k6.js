// A bench peer in k6: one VU per socket to PEER_URL, receiving until the server's closing frame.
import { WebSocket } from 'k6/websockets';

export const options = {
  scenarios: { peers: { executor: 'per-vu-iterations', vus: Number(__ENV.PEER_CLIENTS), iterations: 1, maxDuration: '10m' } },
};

export default function () {
  const ws = new WebSocket(__ENV.PEER_URL);
  ws.onmessage = (event) => {
    if (event.data === '{"type":"bye"}') ws.close();
  };
}
