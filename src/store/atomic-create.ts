import type { Redis } from 'ioredis';

// Intake must be all-or-nothing: either the event, its entitlements, fulfillments and delivery records are all stored,
// or nothing is. One Lua script checks the idempotency key and every uniqueness claim, then writes, atomically.

export type Write =
  | { op: 'set'; key: string; value: string }
  | { op: 'hset'; key: string; fields: string[] }
  | { op: 'rpush'; key: string; values: string[] }
  | { op: 'sadd'; key: string; values: string[] };

export interface AtomicCreate {
  /** Holds `digest` and `response`: the idempotency record. */
  guardKey: string;
  digest: string;
  response: string;
  /** Keys that must not exist yet; the first that does is reported by its index. */
  unique: string[];
  writes: Write[];
}

export type AtomicCreateResult =
  | { outcome: 'created' }
  | { outcome: 'replay'; response: string }
  | { outcome: 'guard-conflict' }
  | { outcome: 'unique-conflict'; index: number };

const SCRIPT = `
local p = cjson.decode(ARGV[1])
local digest = redis.call('HGET', p.guardKey, 'digest')
if digest then
  if digest == p.digest then return {'replay', redis.call('HGET', p.guardKey, 'response')} end
  return {'guard-conflict', ''}
end
for i, key in ipairs(p.unique) do
  if redis.call('EXISTS', key) == 1 then return {'unique-conflict', tostring(i - 1)} end
end
for _, w in ipairs(p.writes) do
  if w.op == 'set' then redis.call('SET', w.key, w.value)
  elseif w.op == 'hset' then redis.call('HSET', w.key, unpack(w.fields))
  elseif w.op == 'rpush' then redis.call('RPUSH', w.key, unpack(w.values))
  elseif w.op == 'sadd' then redis.call('SADD', w.key, unpack(w.values))
  end
end
redis.call('HSET', p.guardKey, 'digest', p.digest, 'response', p.response)
return {'created', ''}
`;

export async function atomicCreate(redis: Redis, request: AtomicCreate): Promise<AtomicCreateResult> {
  const [outcome, detail] = (await redis.eval(SCRIPT, 0, JSON.stringify(request))) as [string, string];
  switch (outcome) {
    case 'created':
      return { outcome };
    case 'replay':
      return { outcome, response: detail };
    case 'guard-conflict':
      return { outcome };
    default:
      return { outcome: 'unique-conflict', index: Number(detail) };
  }
}
