import net from 'node:net';

export interface TcpProxy {
  /** The port clients connect to; it stays the same across cut and restore. */
  port: number;
  /** Where connections go; settable after start (the SMTP sink is made after the stack's config). */
  targetPort: number;
  /** The server goes away: open connections are dropped and new ones refused, as a dead host's port. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay to a local port that a test can cut and restore: an outage of the server behind it
 * (connection refused) without touching the server, or any shared service.
 */
export async function startTcpProxy(targetPort = 0): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const relay = (client: net.Socket) => {
    const upstream = net.connect(proxy.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server = net.createServer(relay);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;

  const stop = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  const proxy: TcpProxy = {
    port,
    targetPort,
    cut: stop,
    async restore() {
      if (listening) return;
      server = net.createServer(relay);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      listening = true;
    },
    close: stop,
  };
  return proxy;
}
