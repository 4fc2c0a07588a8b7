import { Injectable } from '@nestjs/common';

/** One dependency the service cannot work without (Kafka, Mongo, …). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  /** 'up', or 'down: <reason>'. */
  checks: Record<string, string>;
}

export const READINESS_TIMEOUT_MS = 2000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class ReadinessService {
  private readonly checks: ReadinessCheck[] = [];
  private draining = false;

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** From now on readiness answers 503, so load balancers stop sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), READINESS_TIMEOUT_MS);
          return [c.name, 'up'] as const;
        } catch (error) {
          return [
            c.name,
            `down: ${error instanceof Error ? error.message : String(error)}`,
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const healthy = results.every(([, state]) => state === 'up');
    return { ready: healthy && !this.draining, draining: this.draining, checks };
  }
}
