/** Starts webhook delivery for a directory (src/main.ts; tests and the bench start it the same way). */
import type { EventsConfig } from '../config.ts';
import type { Directory } from '../directory/directory.ts';
import { type DispatcherLog, WebhookDispatcher } from './dispatcher.ts';

export async function startDispatcher(
  directory: Directory,
  config: EventsConfig,
  log?: DispatcherLog,
): Promise<WebhookDispatcher> {
  const dispatcher = new WebhookDispatcher(directory.database.db, {
    config,
    box: await directory.webhooks.secretBox(),
    ...(log ? { log } : {}),
    now: directory.deps.now,
    waitForEvents: (ms) => directory.webhooks.waitForEvents(ms),
    eventsWritten: () => directory.webhooks.notify(),
  });
  dispatcher.start();
  return dispatcher;
}
