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
      await listenAgain(server, port);
      listening = true;
    },
    close: stop,
  };
  return proxy;
}

/** How long restore() waits for its port while something else holds it. */
const RELISTEN_TRIES = 20;
const RELISTEN_PAUSE_MS = 100;

/**
 * Listens on the proxy's port again. While the proxy was cut the port was free, and anything on
 * the machine may have taken it (an outgoing connection's ephemeral port, another test run): the
 * listen is retried for a couple of seconds, then fails naming the port, where it used to wait
 * for a "listening" that never came until the test's timeout.
 */
async function listenAgain(server: net.Server, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const failed = (error: Error) => {
          server.off('listening', listening);
          reject(error);
        };
        const listening = () => {
          server.off('error', failed);
          resolve();
        };
        server.once('error', failed).once('listening', listening).listen(port, '127.0.0.1');
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RELISTEN_TRIES) {
        throw new Error(`tcp proxy: port ${port} could not be listened on again after the cut (${(error as Error).message})`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, RELISTEN_PAUSE_MS));
    }
  }
}
