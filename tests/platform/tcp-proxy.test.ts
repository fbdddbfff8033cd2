import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// The outage tests' relay (tests/support/tcp-proxy.ts): its restore must come back or fail, never
// leave a test waiting for its timeout.
describe('the outage tests\' TCP proxy', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const listenOn = async (port: number) => {
    const server = net.createServer((s) => s.end('taken\n'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    cleanups.push(close);
    return close;
  };
  const started = async (targetPort: number) => {
    const proxy: TcpProxy = await startTcpProxy(targetPort);
    cleanups.push(() => proxy.close());
    return proxy;
  };
  const greetingThrough = (port: number) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });

  it('relays, refuses while cut, and relays again once restored', async () => {
    const target = net.createServer((s) => s.end('hello\n'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => target.close(() => resolve())));
    const proxy = await started((target.address() as net.AddressInfo).port);

    expect(await greetingThrough(proxy.port)).toBe('hello\n');
    await proxy.cut();
    await expect(greetingThrough(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.restore();
    expect(await greetingThrough(proxy.port)).toBe('hello\n');
  });

  it('fails naming the port when something else took it during the cut, instead of hanging', async () => {
    const proxy = await started(1);
    await proxy.cut();
    await listenOn(proxy.port);
    await expect(proxy.restore()).rejects.toThrow(`port ${proxy.port} could not be listened on again after the cut`);
  });

  it('comes back when the port is freed while it retries', async () => {
    const proxy = await started(1);
    await proxy.cut();
    const release = await listenOn(proxy.port);
    const restored = proxy.restore();
    setTimeout(() => void release(), 300);
    await expect(restored).resolves.toBeUndefined();
  });
});
