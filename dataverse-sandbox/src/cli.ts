// `node dataverse-sandbox/dist/cli.js [--port <n>] [--host <h>]`; the relay's `opencx-relay sandbox` calls runSandboxCli too.
import { runSandboxCli } from './cli-run.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(option('--port') ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port must be a whole number from 0 to 65535 (0 picks a free port)\n');
  process.exit(1);
}
runSandboxCli({ port, host: option('--host') ?? '127.0.0.1' }).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  process.stderr.write(
    code === 'EADDRINUSE'
      ? `Port ${port} is in use: choose another with --port <n> (0 picks a free port).\n`
      : `The sandbox could not start: ${String(error)}\n`,
  );
  process.exit(1);
});
