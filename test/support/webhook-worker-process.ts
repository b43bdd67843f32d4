// A worker process that only sends webhooks (relay and sender), for tests that kill it: settings from the environment,
// the database from TEST_DATABASE_URL.
import { createContext } from '../../src/app/context.ts';
import { createWebhooks } from '../../src/app/webhooks.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres } from '../../src/store/db.ts';

const ctx = await createContext(loadConfig(process.env));
const webhooks = createWebhooks(ctx, connectPostgres(process.env.TEST_DATABASE_URL!, { max: 4 }));
webhooks.start();
console.log('webhook worker ready');
