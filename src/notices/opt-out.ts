import type { Clock } from '../clock.ts';
import type { NoticeStore } from '../store/notices.ts';
import { verifyUnsubscribeToken } from './unsubscribe-token.ts';

export interface OptOutDeps {
  notices: Pick<NoticeStore, 'unsubscribeKey' | 'optOut'>;
  clock: Clock;
}

/** The address an unsubscribe link names; undefined when the token is not one of ours. */
export async function addressOfToken(deps: OptOutDeps, token: string): Promise<string | undefined> {
  return verifyUnsubscribeToken(await deps.notices.unsubscribeKey(), token);
}

/**
 * Opts the token's address out of subscription notices (never out of Fulfillment Emails, which do not look).
 * Repeating it changes nothing. Returns the address, or undefined when the token is not one of ours.
 */
export async function optOutByToken(deps: OptOutDeps, token: string): Promise<string | undefined> {
  const email = await addressOfToken(deps, token);
  if (email) await deps.notices.optOut(email, deps.clock.now());
  return email;
}
