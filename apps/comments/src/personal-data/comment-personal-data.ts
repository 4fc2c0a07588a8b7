import {
  COMMENT_PERSONAL_FIELDS as F,
  type CommentAuthor,
  ERASED_PERSON_NAME,
  type OpenedPersonalData,
} from '@parley/contracts';
import { guestPerson, type OpenedValue, type PersonalDataCipher } from '@parley/privacy';

type GuestAuthor = Extract<CommentAuthor, { kind: 'guest' }>;

/** A guest as they wrote: their name, address and website in plaintext. */
export interface GuestWriter {
  kind: 'guest';
  guestId: string;
  name: string;
  email: string;
  url: string | null;
}

/** A guest author opened for a read model: their data, or none once they are erased. */
export interface OpenedGuest {
  name: string;
  email: string | null;
  url: string | null;
  erased: boolean;
}

/** The guest as events record them: name, address and website sealed with the guest's key. */
export async function sealGuest(
  cipher: PersonalDataCipher,
  writer: GuestWriter,
): Promise<GuestAuthor> {
  const person = guestPerson(writer.email);
  const values: Record<string, string> = {
    [F.authorName]: writer.name,
    [F.authorEmail]: writer.email,
    ...(writer.url === null ? {} : { [F.authorUrl]: writer.url }),
  };
  const sealed = await cipher.sealAll(person, values);
  return {
    kind: 'guest',
    guestId: writer.guestId,
    name: sealed[F.authorName]!,
    email: sealed[F.authorEmail]!,
    url: writer.url === null ? null : sealed[F.authorUrl]!,
  };
}

/**
 * Opens a guest author of an event. A value that does not open (its key destroyed by an
 * erasure, or damaged) shows nobody's data: the comment reads as by a deleted reader.
 */
export async function openGuest(
  cipher: PersonalDataCipher,
  author: GuestAuthor,
): Promise<OpenedGuest> {
  const [name, email, url] = await cipher.openStoredAll([
    { value: author.name, field: F.authorName },
    { value: author.email, field: F.authorEmail },
    ...(author.url === null ? [] : [{ value: author.url, field: F.authorUrl }]),
  ]);
  if (name?.status !== 'plain' || email?.status !== 'plain')
    return { name: ERASED_PERSON_NAME, email: null, url: null, erased: true };
  return {
    name: name.value,
    email: email.value,
    url: url?.status === 'plain' ? url.value : null,
    erased: false,
  };
}

/** A value as the open contract answers it: the plaintext, or only whether it is erased. */
export function openedForContract(opened: OpenedValue): OpenedPersonalData {
  if (opened.status === 'plain') return { status: 'plain', value: opened.value };
  return { status: opened.status };
}
