import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A loopback port free now, for a listener whose address others must be given before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Where the kernel picks the local ports of outgoing connections (and of listeners on port 0). */
function ephemeralPorts(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return { low, high };
  } catch {
    // Not Linux: the range IANA names for them.
  }
  return { low: 49152, high: 65535 };
}

async function listensOn(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port free now and outside the kernel's range of ephemeral ports, for a listener
 * that is stopped and started again on the same port (a restarted service found where it was):
 * a port from that range may be taken meanwhile by any outgoing connection on the machine.
 */
export async function restartablePort(): Promise<number> {
  const { low } = ephemeralPorts();
  const floor = 10_000;
  if (low - floor < 1000) return freePort();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await listensOn(port)) return port;
  }
  return freePort();
}
