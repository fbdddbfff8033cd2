/**
 * Fallback SMTP sink for `npm run bench` when Postfix's smtp-sink is not installed: a separate
 * Node process (so its CPU is not the benchmark's) that accepts every message and discards it.
 *
 *   node bench/smtp-sink-child.ts <port>
 *
 * Prints "listening <port>" once it accepts connections and "mesg=<count>" on SIGUSR2 or when it
 * ends (the same counter smtp-sink's -c shows).
 */
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2] ?? 0);
let messages = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  // The bench opens a pool of a few connections; leave headroom.
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      messages++;
      callback();
    });
  },
});

const report = () => process.stdout.write(`mesg=${messages}\n`);
process.on('SIGUSR2', report);
const stop = () => {
  report();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent died without telling us: do not linger.
process.on('disconnect', stop);

server.listen(port, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
