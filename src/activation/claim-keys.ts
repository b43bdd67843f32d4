import type { Redis } from 'ioredis';
import type { IssuedKey } from '../model.ts';

export type Claim =
  | { device: string; outcome: 'issued' | 'existing'; key: IssuedKey }
  | { device: string; outcome: 'quantity-used-up' };

// Checking the count and adding a key must be one step: two devices racing for the last unit of quantity must not
// both win. A device that already holds a key gets it back and uses no quantity.
const SCRIPT = `
local out = {}
for i = 1, #ARGV, 2 do
  local device, key = ARGV[i], ARGV[i + 1]
  local existing = redis.call('HGET', KEYS[1], device)
  if existing then
    table.insert(out, 'existing') table.insert(out, existing)
  elseif redis.call('HLEN', KEYS[1]) < tonumber(KEYS[2]) then
    redis.call('HSET', KEYS[1], device, key)
    table.insert(out, 'issued') table.insert(out, key)
  else
    table.insert(out, 'quantity-used-up') table.insert(out, '')
  end
end
return out
`;

/** Claims one unit of quantity per device, atomically, storing the offered key for devices that had none. */
export async function claimKeys(redis: Redis, issuedKeysKey: string, quantity: number, offers: IssuedKey[]): Promise<Claim[]> {
  const args = offers.flatMap((k) => [k.device, JSON.stringify(k)]);
  const flat = (await redis.eval(SCRIPT, 2, issuedKeysKey, String(quantity), ...args)) as string[];
  return offers.map((offer, i) => {
    const outcome = flat[i * 2] as Claim['outcome'];
    return outcome === 'quantity-used-up'
      ? { device: offer.device, outcome }
      : { device: offer.device, outcome, key: JSON.parse(flat[i * 2 + 1]!) as IssuedKey };
  });
}
