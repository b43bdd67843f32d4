import { readFileSync } from 'node:fs';
import type { Db } from '../src/store/db.ts';
import { round } from './stats.ts';

/** CPU seconds a process has used so far, from /proc (clock ticks are 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, 1);
}

/** Bytes the database takes on disk now (tables, indexes, TOAST, free space in their pages). */
export async function databaseBytes(db: Db): Promise<number> {
  const [row] = await db.query<{ bytes: number }>('SELECT pg_database_size(current_database()) AS bytes');
  return row!.bytes;
}

/**
 * CPU of the PostgreSQL backends serving one database (on this machine), over a window. The service's pools close
 * idle connections and open new ones, so the backends are looked up every 250 ms, not only at both ends: a backend
 * that exits keeps the CPU last read from it (at most 250 ms of its work goes uncounted), and one that appears counts
 * from zero. The probe's own backend is left out. The server's shared processes (WAL writer, checkpointer) serve
 * every database on the machine, other tests' included, and are not counted.
 */
export class PostgresCpu {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  private async poll(first = false): Promise<void> {
    const rows = await this.db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    for (const { pid } of rows) {
      let seconds: number;
      try {
        seconds = cpuSeconds(pid);
      } catch {
        continue; // exited since the query
      }
      if (!this.start.has(pid)) this.start.set(pid, first ? seconds : 0);
      this.last.set(pid, seconds);
    }
  }

  async begin(): Promise<void> {
    await this.poll(true);
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll()).catch(() => undefined);
    }, 250);
  }

  /** CPU seconds the backends used since begin(), and how many there were. */
  async end(): Promise<{ seconds: number; backends: number }> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll();
    let seconds = 0;
    for (const [pid, last] of this.last) seconds += last - this.start.get(pid)!;
    return { seconds, backends: this.last.size };
  }
}
