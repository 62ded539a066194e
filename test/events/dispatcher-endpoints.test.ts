/**
 * The dispatcher keeps the enabled endpoints between polls (src/events/dispatcher.ts), so that a
 * write where no endpoint is enabled costs the database nothing more (test/http/pg-round-trips
 * counts that). An endpoint made or changed in this process must still be used at once, not
 * after the next poll: here the poll is a minute away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { Receiver, until } from '../helpers/receiver.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

for (const dialect of dialects) {
  describe(`webhook dispatcher's endpoint list (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;
    let orgId = '';
    const actor = () => ({ orgId, tokenId: null, requestId: null });
    /**
     * On PostgreSQL an event is read only once the feed horizon passes it (other tests'
     * transactions hold it back), and the poll that would look again is a minute away. Waking
     * the dispatcher while waiting looks again; it does not read the endpoint list again, which
     * only the endpoint changes under test do.
     */
    const delivered = (what: string, check: () => boolean) =>
      until(what, () => {
        dispatcher.wake();
        return check();
      });
    const newUser = async (name: string) =>
      (await directory.resources.create(actor(), USER, { schemas: [CORE_USER], userName: name })).id;

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
        webhookAllowPrivate: true,
      });
      orgId = (await directory.orgs.create('Endpoint list')).org.id;
      receiver = new Receiver();
      await receiver.start();
      // The poll is a minute away: only this process's changes can make the list current.
      dispatcher = await startDispatcher(directory, loadConfig({ WEBHOOK_POLL_MS: '60000' }).events);
      // A write before any endpoint exists: the dispatcher has read its (empty) list.
      await newUser('before@x.test');
      await new Promise((r) => setTimeout(r, 100));
    });
    after(async () => {
      await dispatcher.stop();
      await receiver.stop();
      await t.cleanup();
    });

    test('an endpoint created in this process gets the next event without waiting for the poll', async () => {
      const { endpoint } = await directory.webhooks.create({
        url: receiver.url,
        orgId,
        eventTypes: ['user.created'],
      });
      const id = await newUser('after-create@x.test');
      await delivered('the user.created delivery', () => receiver.got.some((r) => r.event.data.id === id));
      assert.equal(
        receiver.got.some((r) => r.event.data.userName === 'before@x.test'),
        false,
        'events from before the endpoint are not delivered',
      );
      await dispatcher.drain();
      receiver.got.length = 0;

      // Disabled, then enabled again: each change is seen at once too.
      await directory.webhooks.update(endpoint.id, { enabled: false });
      const skipped = await newUser('while-disabled@x.test');
      await new Promise((r) => setTimeout(r, 200));
      await dispatcher.drain();
      assert.equal(receiver.got.length, 0, 'nothing is sent to a disabled endpoint');
      await directory.webhooks.update(endpoint.id, { enabled: true });
      const back = await newUser('after-enable@x.test');
      await delivered('the delivery after enabling', () =>
        receiver.got.some((r) => r.event.data.id === back),
      );
      // Its cursor stayed where it was while disabled: the event written meanwhile comes too.
      await delivered('the event written while disabled', () =>
        receiver.got.some((r) => r.event.data.id === skipped),
      );
      await dispatcher.drain();
      await directory.webhooks.delete(endpoint.id);
    });
  });
}
