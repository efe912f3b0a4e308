import { startSandbox, type Sandbox } from './server.js';

/**
 * Starts the sandbox for a person at a terminal: prints `Dataverse sandbox listening on <url>` once it
 * accepts requests and stops cleanly on Ctrl+C / SIGTERM.
 */
export async function runSandboxCli(options: { port?: number; host?: string } = {}): Promise<Sandbox> {
  // Handlers first: stdout to a pipe is synchronous, so whoever reads the line below may signal us
  // before the next statement runs; a signal with no handler yet would kill the process uncleanly.
  const running: { sandbox?: Sandbox; stopping?: boolean } = {};
  const stop = () => {
    running.stopping = true;
    void (running.sandbox?.close() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const sandbox = await startSandbox({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  running.sandbox = sandbox;
  if (running.stopping) {
    await sandbox.close();
    process.exit(0);
  }
  process.stdout.write(`Dataverse sandbox listening on ${sandbox.url}\n`);
  return sandbox;
}
