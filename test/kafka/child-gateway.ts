// A gateway in its own process, for tests that kill one (SIGKILL) mid-stream.
// argv[2]: the config as JSON. Prints "ready" once started; SIGTERM shuts it
// down cleanly. Logs (info) go to stderr as JSON lines.
import { Service } from '../../src/service/service.js';
import { createLogger } from '../../src/telemetry/logger.js';

const svc = new Service(JSON.parse(process.argv[2]!), { logger: createLogger(process.env.TOLLGATE_CHILD_LOG ?? 'info') });
await svc.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void svc.shutdown().then(() => process.exit(0));
});
