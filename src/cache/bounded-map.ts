/**
 * A Map that lets its oldest entry go once it holds `capacity` entries: the caches of rendering and sending live as
 * long as the worker process, and must not grow with every order it sees.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.capacity && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }

  /** The value kept for `key`, computed and kept first if there is none. */
  remember(key: K, compute: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      value = compute();
      this.set(key, value);
    }
    return value;
  }
}
