// A worker process that only sends webhooks (relay and sender), for tests that kill it: settings from the environment.
import { createContext } from '../../src/app/context.ts';
import { createWebhooks } from '../../src/app/webhooks.ts';
import { loadConfig } from '../../src/config.ts';

const ctx = await createContext(loadConfig(process.env));
const webhooks = createWebhooks(ctx);
webhooks.start();
console.log('webhook worker ready');
