import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi';
import { PUBLIC_EVENTS } from './registry';
import { TOPICS, type TopicKey } from './topics';

const FILE = join(__dirname, '..', 'asyncapi.yaml');

describe('the AsyncAPI document', () => {
  const document = buildAsyncApiDocument() as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, unknown> }>;
    components: { messages: Record<string, { payload: { properties?: Record<string, unknown> } }> };
  };

  it('describes every topic with every published event type and its payload schema', () => {
    expect(document.asyncapi).toBe('3.0.0');
    for (const topic of Object.keys(TOPICS) as TopicKey[]) {
      const channel = document.channels[topic];
      expect(channel?.address).toBe(TOPICS[topic]);
      expect(Object.keys(channel?.messages ?? {}).sort()).toEqual(
        Object.keys(PUBLIC_EVENTS[topic]).sort(),
      );
      expect(document.channels[`${topic}Dlq`]?.address).toBe(`${TOPICS[topic]}.dlq`);
    }
    const posted = document.components.messages['parley.comment.posted.v3'];
    expect(Object.keys(posted?.payload.properties ?? {})).toEqual(
      expect.arrayContaining(['commentId', 'postId', 'ancestorIds', 'author', 'status']),
    );
  });

  it('is committed as libs/contracts/asyncapi.yaml, generated from the schemas', () => {
    const generated = `# Generated from libs/contracts by: npm run docs:asyncapi\n${stringify(document, { lineWidth: 0 })}`;
    if (process.env.UPDATE_ASYNCAPI === '1') writeFileSync(FILE, generated);
    expect(readFileSync(FILE, 'utf8')).toBe(generated);
  });
});
