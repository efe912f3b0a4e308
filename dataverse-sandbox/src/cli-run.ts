import { startSandbox, type Sandbox } from './server.js';

/**
 * Starts the sandbox for a person at a terminal: prints `Dataverse sandbox listening on <url>` once it
 * accepts requests and stops cleanly on Ctrl+C / SIGTERM.
 */
export async function runSandboxCli(options: { port?: number; host?: string } = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  process.stdout.write(`Dataverse sandbox listening on ${sandbox.url}\n`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sandbox;
}
