import type { Redis } from 'ioredis';

/** A Lua script under a name of its own, with the number of keys it takes. */
export interface ScriptSpec {
  name: string;
  numberOfKeys: number;
  lua: string;
}

export type RunScript = (keys: string[], ...args: Array<string | number>) => Promise<unknown>;

type Commands = Record<string, (...keysAndArgs: Array<string | number>) => Promise<unknown>>;

/** The scripts defined on each connection, by name: one definition per name, never two scripts under one name. */
const defined = new WeakMap<Redis, Map<string, ScriptSpec>>();

/**
 * The script as a command of this connection, defined once however many callers ask (ioredis then runs it by EVALSHA
 * and sends its text only to a Redis that does not know it). Its keys are declared, so each call must pass that many.
 */
export function redisScript(redis: Redis, spec: ScriptSpec): RunScript {
  const byName = defined.get(redis) ?? defined.set(redis, new Map()).get(redis)!;
  const known = byName.get(spec.name);
  if (!known) {
    if (spec.name in redis) throw new Error(`script ${spec.name}: the connection has a command of that name`);
    redis.defineCommand(spec.name, { numberOfKeys: spec.numberOfKeys, lua: spec.lua });
    byName.set(spec.name, spec);
  } else if (known.lua !== spec.lua || known.numberOfKeys !== spec.numberOfKeys) {
    throw new Error(`script ${spec.name}: another script has that name`);
  }
  const command = (redis as unknown as Commands)[spec.name]!;
  return (keys, ...args) => {
    if (keys.length !== spec.numberOfKeys)
      return Promise.reject(new Error(`script ${spec.name} takes ${spec.numberOfKeys} keys, given ${keys.length}`));
    return command.call(redis, ...keys, ...args);
  };
}
