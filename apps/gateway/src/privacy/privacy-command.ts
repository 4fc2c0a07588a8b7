import type { Writable } from 'node:stream';
import {
  type AccountView,
  type Actor,
  type ErasureRequest,
  type ErasureResult,
  erasureRequestSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { ServiceClients } from '../proxy/service-clients';
import { type ExportedPerson, PERSONAL_DATA_OPERATOR, collectPersonalData } from './personal-data';

/** The Parley a privacy command works on: the running services, or the data folder's. */
export interface PrivacyParley {
  services: ServiceClients;
  /** The account that holds an address, verified or not. */
  accountByEmail(email: string): Promise<AccountView | null>;
  publicBaseUrl: string;
  now(): Date;
  /** Erases the guest of an address and the account registered with it, as the actor. */
  erase(request: ErasureRequest, actor: Actor): Promise<ErasureResult>;
  close(): Promise<void>;
}

/** The erasure was refused for a reason the operator can act on (an admin account). */
export class ErasureRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErasureRefused';
  }
}

export interface PrivacyCommand {
  /** One line of the usage text: the command and its arguments. */
  usage: string;
  /** Whether the arguments (after the command's name) are well formed, before anything opens. */
  accepts(args: readonly string[]): boolean;
  /** Does the work; answers the exit code. */
  run(context: {
    args: readonly string[];
    parley: PrivacyParley;
    out: Writable;
    log: Writable;
  }): Promise<number>;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * `export [--guest] <email>`: the person's data as JSON on stdout. The account holding the
 * address when there is one; the guest who wrote with it otherwise, or with `--guest`.
 */
export const exportPersonalData: PrivacyCommand = {
  usage: 'export [--guest] <email>    prints the data of the person with this address as JSON',
  accepts: (args) => {
    const rest = args[0] === '--guest' ? args.slice(1) : args;
    return rest.length === 1 && EMAIL.test(rest[0] ?? '');
  },
  async run({ args, parley, out, log }) {
    const guestOnly = args[0] === '--guest';
    const email = (guestOnly ? args[1] : args[0]) ?? '';
    const account = guestOnly ? null : await parley.accountByEmail(email);
    const person: ExportedPerson = account
      ? { kind: 'account', account }
      : { kind: 'guest', email };
    const data = await collectPersonalData({
      services: parley.services,
      person,
      actor: PERSONAL_DATA_OPERATOR,
      publicBaseUrl: parley.publicBaseUrl,
      now: parley.now(),
    });
    out.write(`${JSON.stringify(data, null, 2)}\n`);
    log.write(
      `exported the data of ${account ? `account ${account.id}` : 'a guest'}: ${data.comments.length} comments, ${data.likes.length} likes, ${data.subscriptions.length} subscriptions, ${data.notifications.length} notifications\n`,
    );
    return 0;
  },
};

/** Why an erasure was refused, from the command's own refusal or the gateway's problem; null otherwise. */
function refusalOf(error: unknown): string | null {
  if (error instanceof ErasureRefused) return error.message;
  if (error instanceof ProblemException && error.status === 409) return error.detail ?? error.title;
  return null;
}

/** `erase [--remove] <email>`'s request, or undefined when the arguments are not one address. */
function erasureRequestOf(args: readonly string[]): ErasureRequest | undefined {
  const rest = args.filter((arg) => arg !== '--remove');
  const parsed = erasureRequestSchema.safeParse({
    email: rest[0],
    mode: args.includes('--remove') ? 'remove' : 'anonymize',
  });
  return rest.length === 1 && parsed.success ? parsed.data : undefined;
}

/**
 * `erase <email> [--remove]`: erases the guest of that address and the account registered with
 * it, anonymizing their comments unless `--remove` is given; prints what it erased as JSON.
 */
export const erasePersonalData: PrivacyCommand = {
  usage: 'erase <email> [--remove]   erases the person with this address (--remove: tombstones)',
  accepts: (args) => erasureRequestOf(args) !== undefined,
  async run({ args, parley, out, log }) {
    const request = erasureRequestOf(args);
    if (!request) return 64;
    try {
      out.write(`${JSON.stringify(await parley.erase(request, PERSONAL_DATA_OPERATOR))}\n`);
      return 0;
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === null) throw error;
      log.write(`not erased: ${refusal}\n`);
      return 1;
    }
  },
};

/** The privacy commands by name; each is one entry. */
export const PRIVACY_COMMANDS: Readonly<Record<string, PrivacyCommand>> = {
  export: exportPersonalData,
  erase: erasePersonalData,
};

export function privacyUsage(commands: Readonly<Record<string, PrivacyCommand>>): string {
  return `usage: privacy <command>\n${Object.values(commands)
    .map((c) => `  ${c.usage}\n`)
    .join('')}`;
}

/**
 * `privacy <command> …`: looks the command up, checks its arguments, opens the Parley and runs
 * it. Answers the process exit code (64 usage).
 */
export async function runPrivacyCommand(options: {
  args: readonly string[];
  connect: () => Promise<PrivacyParley>;
  out: Writable;
  log: Writable;
  commands?: Readonly<Record<string, PrivacyCommand>>;
}): Promise<number> {
  const commands = options.commands ?? PRIVACY_COMMANDS;
  const [name, ...args] = options.args;
  const command = name === undefined ? undefined : commands[name];
  if (!command || !command.accepts(args)) {
    options.log.write(privacyUsage(commands));
    return 64;
  }
  const parley = await options.connect();
  try {
    return await command.run({ args, parley, out: options.out, log: options.log });
  } finally {
    await parley.close();
  }
}
