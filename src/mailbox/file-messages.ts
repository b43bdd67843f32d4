import type { ImapFlow } from 'imapflow';

export type FilingFolder = 'Processed' | 'Rejected';

export interface FilingLogger {
  warn(o: object, m?: string): void;
}

/**
 * Moves the messages of the selected mailbox with UID <= lastUid whose outcome is known into that folder, creating
 * it when missing. Deletes nothing; a message whose outcome or move fails stays where it is for the next call.
 */
export async function fileDecidedMessages(
  client: ImapFlow,
  lastUid: number,
  outcome: (uid: number) => Promise<FilingFolder | undefined>,
  logger?: FilingLogger,
): Promise<void> {
  if (lastUid === 0 || !client.mailbox || client.mailbox.exists === 0) return;
  const uids = (await client.search({ uid: `1:${lastUid}` }, { uid: true })) || [];
  const byFolder = new Map<FilingFolder, number[]>();
  for (const uid of uids) {
    const folder = await outcome(uid).catch((error: Error) => {
      logger?.warn({ uid, err: error.message }, 'filing outcome unavailable; retried next check');
      return undefined;
    });
    if (folder) byFolder.set(folder, [...(byFolder.get(folder) ?? []), uid]);
  }
  for (const [folder, list] of byFolder) {
    try {
      await client.mailboxCreate(folder); // an existing folder answers created: false
      if (!(await client.messageMove(list.join(','), folder, { uid: true }))) throw new Error('MOVE refused');
    } catch (error) {
      logger?.warn({ folder, uids: list, err: (error as Error).message }, 'filing failed; retried next check');
    }
  }
}
