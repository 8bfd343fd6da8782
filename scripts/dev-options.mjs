// Options of `npm run dev` (scripts/dev.mjs):
//
//   npm run dev -- --port 8790           serve on another port (PORT=8790 npm run dev works too)
//   npm run dev -- --persist-to <dir>    keep local state elsewhere than .wrangler/state
//   npm run dev -- --no-seed             start without seeding the demo agency

export const DEFAULT_PORT = 8787;

export const USAGE = 'Usage: npm run dev -- [--port <n>] [--persist-to <dir>] [--no-seed]   (PORT=<n> also sets the port)';

/**
 * Reads the command line (and PORT); the --port flag wins over PORT.
 * Throws with a message for the person when something is wrong.
 *
 * @example parseDevArgs(['--port', '8790'], {}) // { port: 8790, persistDir: null, seed: true }
 */
export function parseDevArgs(argv, env = {}) {
  const options = { port: null, persistDir: null, seed: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) throw new Error(`${flag} needs a value. ${USAGE}`);
      return next;
    };
    if (flag === '--port' || flag === '-p') options.port = portNumber(value(), flag);
    else if (flag === '--persist-to') options.persistDir = value();
    else if (flag === '--no-seed') options.seed = false;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`Unknown option "${arg}". ${USAGE}`);
  }
  options.port ??= env.PORT !== undefined && env.PORT !== '' ? portNumber(env.PORT, 'PORT') : DEFAULT_PORT;
  return options;
}

function portNumber(text, where) {
  const port = Number(text);
  if (!/^\d+$/.test(String(text)) || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`${where} must be a port number (1-65535), not "${text}".`);
  return port;
}
