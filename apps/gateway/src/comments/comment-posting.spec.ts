import type { FastifyRequest } from 'fastify';
import { ClientKeys } from '../http/client-key';
import type { IdentityService } from '../identity/identity.service';
import type { ServiceRequest } from '../proxy/service-client';
import type { ServiceClients } from '../proxy/service-clients';
import { CommentPosting } from './comment-posting';

function posting(reserved: readonly string[]) {
  const asked: ServiceRequest[] = [];
  const comments = {
    call: async (request: ServiceRequest) => {
      asked.push(request);
      return { status: 201, headers: new Headers(), body: { id: 'c1' } };
    },
  };
  const identity = { nameReserved: async (name: string) => reserved.includes(name) };
  const keys = new ClientKeys('a secret of the tests, long enough');
  return {
    asked,
    keys,
    posting: new CommentPosting(
      { comments } as unknown as ServiceClients,
      keys,
      identity as unknown as IdentityService,
    ),
  };
}

const request = {
  ip: '203.0.113.7',
  headers: { 'user-agent': 'Reader/1.0' },
} as unknown as FastifyRequest;
const comment = (author?: { name: string; email: string }): ServiceRequest => ({
  method: 'POST',
  path: '/v1/posts/p1/comments',
  body: { body: 'Hello', ...(author ? { author } : {}) },
  actor: null,
});

describe('posting a comment, from the API or the reader page', () => {
  it('tells the comments service the client it came from and where it was written', async () => {
    const t = posting([]);
    await t.posting.post(comment({ name: 'Gus', email: 'gus@example.com' }), request);
    expect(t.asked).toEqual([
      {
        ...comment({ name: 'Gus', email: 'gus@example.com' }),
        client: t.keys.of('203.0.113.7'),
        origin: { ip: '203.0.113.7', userAgent: 'Reader/1.0' },
      },
    ]);
  });

  it("refuses a guest who gives the name of a member of the blog's staff, and asks nothing", async () => {
    const t = posting(['Amy']);
    await expect(
      t.posting.post(comment({ name: 'Amy', email: 'amy@example.com' }), request),
    ).rejects.toMatchObject({ status: 422 });
    expect(t.asked).toEqual([]);
    // An account posts under its own name, whatever it is.
    await t.posting.post(
      { ...comment(), actor: { accountId: 'amy', displayName: 'Amy', roles: ['author'] } },
      request,
    );
    expect(t.asked).toHaveLength(1);
  });
});
