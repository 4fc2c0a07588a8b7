import type { FastifyRequest } from 'fastify';
import {
  MAX_USER_AGENT_CHARS,
  ORIGIN_AGENT_HEADER,
  ORIGIN_IP_HEADER,
  requestOrigin,
} from './actor';

const withHeaders = (headers: Record<string, string | string[]>) =>
  ({ headers }) as unknown as FastifyRequest;

describe('the origin of a new comment, as the gateway passes it on', () => {
  it('reads an IPv4 or IPv6 address and the user agent', () => {
    expect(
      requestOrigin(
        withHeaders({ [ORIGIN_IP_HEADER]: '203.0.113.7', [ORIGIN_AGENT_HEADER]: 'Firefox/140.0' }),
      ),
    ).toEqual({ ip: '203.0.113.7', userAgent: 'Firefox/140.0' });
    expect(requestOrigin(withHeaders({ [ORIGIN_IP_HEADER]: '2001:db8::1' })).ip).toBe(
      '2001:db8::1',
    );
  });

  it('keeps nothing that is not an address, and nothing when nothing was passed', () => {
    expect(requestOrigin(withHeaders({ [ORIGIN_IP_HEADER]: 'gus@example.com' }))).toEqual({
      ip: null,
      userAgent: null,
    });
    expect(requestOrigin(withHeaders({}))).toEqual({ ip: null, userAgent: null });
  });

  it('cuts a long user agent, as WordPress cuts comment_agent', () => {
    const agent = `Bot/${'x'.repeat(1000)}`;
    expect(requestOrigin(withHeaders({ [ORIGIN_AGENT_HEADER]: agent })).userAgent).toHaveLength(
      MAX_USER_AGENT_CHARS,
    );
  });
});
