import { parseArgs } from 'node:util';
import { startTestSite } from './server.js';

const USAGE =
  'Usage: tsx test/site/main.ts [--port 4010] [--host 127.0.0.1] [--username demo_user] [--require-login]';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    username: { type: 'string', default: 'demo_user' },
    'require-login': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(
    `Invalid --port ${JSON.stringify(values.port)}: expected an integer from 0 to 65535.\n${USAGE}`,
  );
  process.exit(2);
}

const site = await startTestSite({
  host: values.host,
  port,
  username: values.username,
  requireLogin: values['require-login'],
});
console.log(`Test site listening on ${site.url} as @${site.username}`);
if (values['require-login']) {
  console.log(`Log in at ${site.url}/login with any username and password.`);
}

const stop = (signal: string) => {
  console.log(`Test site stopping on ${signal}`);
  site.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('Test site failed to close', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
