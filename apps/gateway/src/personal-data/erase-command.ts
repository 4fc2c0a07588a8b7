import type { Writable } from 'node:stream';
import { ProblemException } from '@parley/platform';
import {
  type Actor,
  type ErasureRequest,
  type ErasureResult,
  erasureRequestSchema,
} from '@parley/contracts';

/** The erasure was refused for a reason the operator can act on (an admin account). */
export class ErasureRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErasureRefused';
  }
}

export const ERASE_USAGE = 'usage: privacy erase <email> [--remove]\n';

/** Who the command erases as: the operator running it, with an admin's rights. */
const OPERATOR: Actor = {
  accountId: 'parley-privacy',
  displayName: 'Parley privacy',
  roles: ['admin'],
};

export interface EraseCommandOptions {
  /** `erase`'s arguments: the address, and `--remove` for tombstones instead of "Deleted reader". */
  args: readonly string[];
  /** Opens the Parley the erasure runs on; called once the arguments are known to be right. */
  connect: () => Promise<{
    erase: (request: ErasureRequest, actor: Actor) => Promise<ErasureResult>;
    close: () => Promise<void>;
  }>;
  /** Where the summary goes (stdout), as JSON. */
  out: Writable;
  /** Where usage and errors go (stderr). */
  log: Writable;
}

/** Why an erasure was refused, from the command's own refusal or the gateway's problem; null otherwise. */
function refusalOf(error: unknown): string | null {
  if (error instanceof ErasureRefused) return error.message;
  if (error instanceof ProblemException && error.status === 409) return error.detail ?? error.title;
  return null;
}

/**
 * `erase <email> [--remove]`: erases the guest of that address and the account registered with
 * it, anonymizing their comments unless `--remove` is given. Answers the exit code (64 usage).
 */
export async function runEraseCommand(options: EraseCommandOptions): Promise<number> {
  const remove = options.args.includes('--remove');
  const rest = options.args.filter((arg) => arg !== '--remove');
  const parsed = erasureRequestSchema.safeParse({
    email: rest[0],
    mode: remove ? 'remove' : 'anonymize',
  });
  if (rest.length !== 1 || !parsed.success) {
    options.log.write(ERASE_USAGE);
    return 64;
  }
  const parley = await options.connect();
  try {
    const result = await parley.erase(parsed.data, OPERATOR);
    options.out.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === null) throw error;
    options.log.write(`not erased: ${refusal}\n`);
    return 1;
  } finally {
    await parley.close();
  }
}
