// A real SMTP server on a free loopback port, for mail tests: it records what it accepted (Message-ID,
// recipient, subject), can refuse with a 4xx for a while, and can hold messages until told to let go.
import { SMTPServer } from 'smtp-server';

interface Received {
  messageId: string;
  to: string;
  subject: string;
  /** The From header as sent (display name and address). */
  from: string;
}

export interface SmtpOptions {
  /** Answers 451 to this many DATA commands first (Infinity: always), as a server that is struggling does. */
  failFirst?: number;
  /** Keeps the transaction open (no reply) for messages it matches until `release()`: a slow server. */
  hold?: (message: Received) => boolean;
}

const header = (raw: string, name: string) => {
  const head = (raw.split(/\r?\n\r?\n/, 1)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
};

export async function startSmtpServer(options: SmtpOptions = {}) {
  const received: Received[] = [];
  /** Every DATA the server answered, accepted or refused. */
  let attempts = 0;
  let failuresLeft = options.failFirst ?? 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true, // no DNS lookups on loopback connections
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts++;
        if (failuresLeft > 0) {
          failuresLeft--;
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const message = {
          messageId: header(raw, 'Message-ID'),
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          subject: header(raw, 'Subject'),
          from: header(raw, 'From'),
        };
        const accept = () => {
          received.push(message);
          callback();
        };
        // A held message is answered once released (`released` only resolves).
        if (options.hold?.(message)) void released.then(accept);
        else accept();
      });
    },
  });
  // A client killed mid-session (the crash tests kill the app) resets its connection: that is the test,
  // not a server fault. Anything else is still reported.
  server.on('error', (e: Error & { code?: string }) => {
    if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') console.error('smtp test server:', e);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    /** Lets held messages through. */
    release: () => release(),
    close: () => {
      release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
