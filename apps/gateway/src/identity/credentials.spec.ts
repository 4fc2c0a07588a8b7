import { TokenSigner } from './credentials';

describe('the token signer', () => {
  const signer = new TokenSigner('a-secret-of-at-least-thirty-two-characters', 900);
  const now = new Date('2026-11-24T12:00:00.000Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('reads back what each kind of token was signed with', async () => {
    const access = await signer.access(
      { accountId: 'bo', displayName: 'Bo', roles: ['moderator'], sessionId: 's1' },
      now,
    );
    expect(await signer.verifyAccess(access, now)).toEqual({
      accountId: 'bo',
      displayName: 'Bo',
      roles: ['moderator'],
      sessionId: 's1',
    });
    const reset = await signer.passwordReset('bo', 'r1', later(3600_000), now);
    expect(await signer.verifyPasswordResetToken(reset, now)).toEqual({
      accountId: 'bo',
      resetId: 'r1',
    });
    const verify = await signer.emailVerification('bo', 'bo@example.com', now);
    expect(await signer.verifyEmailToken(verify, now)).toEqual({
      accountId: 'bo',
      email: 'bo@example.com',
    });
  });

  it('never takes a token of one kind for another, nor one past its time or signed elsewhere', async () => {
    const reset = await signer.passwordReset('bo', 'r1', later(3600_000), now);
    const verify = await signer.emailVerification('bo', 'bo@example.com', now);
    const access = await signer.access({ accountId: 'bo', displayName: 'Bo', roles: [] }, now);
    expect(await signer.verifyAccess(reset, now)).toBeNull();
    expect(await signer.verifyAccess(verify, now)).toBeNull();
    expect(await signer.verifyEmailToken(reset, now)).toBeNull();
    expect(await signer.verifyPasswordResetToken(verify, now)).toBeNull();
    expect(await signer.verifyPasswordResetToken(access, now)).toBeNull();

    expect(await signer.verifyAccess(access, later(901_000))).toBeNull();
    expect(await signer.verifyPasswordResetToken(reset, later(3601_000))).toBeNull();
    expect(await signer.verifyEmailToken(verify, later(8 * 24 * 3600_000))).toBeNull();

    const elsewhere = new TokenSigner('another-secret-of-at-least-thirty-two-chars', 900);
    expect(await elsewhere.verifyAccess(access, now)).toBeNull();
  });

  it('takes an access token checked before exactly as a first check would, until the same second it expires', async () => {
    const access = await signer.access({ accountId: 'bo', displayName: 'Bo', roles: [] }, now);
    expect(await signer.verifyAccess(access, now)).not.toBeNull();
    for (const ms of [0, 899_000, 899_999, 900_000, 901_000]) {
      const fresh = new TokenSigner('a-secret-of-at-least-thirty-two-characters', 900);
      const first = await fresh.verifyAccess(access, later(ms));
      expect([ms, await signer.verifyAccess(access, later(ms))]).toEqual([ms, first]);
    }
    expect(await signer.verifyAccess(access, later(899_000))).not.toBeNull();
    expect(await signer.verifyAccess(access, later(900_000))).toBeNull();
    // Another token with one character changed is checked, not taken for the one seen.
    const altered = `${access.slice(0, -2)}${access.at(-2) === 'A' ? 'B' : 'A'}${access.at(-1)}`;
    expect(await signer.verifyAccess(altered, now)).toBeNull();
  });

  it("takes a guest's personal-data link only for its address, until it expires, and no other kind of token for it", async () => {
    const link = await signer.personalDataExport('wade@example.com', later(24 * 3600_000), now);
    expect(await signer.verifyPersonalDataExportToken(link, later(23 * 3600_000))).toBe(
      'wade@example.com',
    );
    expect(
      await signer.verifyPersonalDataExportToken(link, later(24 * 3600_000 + 1000)),
    ).toBeNull();
    const verify = await signer.emailVerification('bo', 'bo@example.com', now);
    expect(await signer.verifyPersonalDataExportToken(verify, now)).toBeNull();
    expect(await signer.verifyEmailToken(link, now)).toBeNull();
    const elsewhere = new TokenSigner('another-secret-of-at-least-thirty-two-chars', 900);
    expect(await elsewhere.verifyPersonalDataExportToken(link, now)).toBeNull();
  });
});
