// Whether a host:port accepts a TCP connection: how scripts and tests wait for a server to listen.
import { connect as tcpConnect } from 'node:net';

/** Whether `address` (host:port, IPv6 in brackets; port 7233 when absent) accepts a connection within `ms`. */
export function reachable(address: string, ms = 2000): Promise<boolean> {
  const colon = address.lastIndexOf(':');
  const [host, port] =
    colon > address.lastIndexOf(']') ? [address.slice(0, colon), Number(address.slice(colon + 1))] : [address, 7233];
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
