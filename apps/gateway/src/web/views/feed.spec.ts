import { parseFeed } from '@rowanmanning/feed-parser';
import { type FeedItem, rssFeed } from './feed';

const item = (overrides: Partial<FeedItem>): FeedItem => ({
  title: 'By: Amy',
  link: 'http://blog.test/posts/her#comment-1',
  guid: 'urn:parley:comment:1',
  published: new Date('2026-11-27T10:00:00Z'),
  author: 'Amy',
  descriptionHtml: '<p>Hello</p>',
  ...overrides,
});

describe('rssFeed', () => {
  it('stays a valid feed whatever a comment holds: markup, quotes, control characters, lone surrogates', () => {
    const xml = rssFeed({
      title: 'Comments on: "Her" & <them>',
      link: 'http://blog.test/posts/her',
      self: 'http://blog.test/posts/her/feed',
      description: 'The latest comments',
      items: [
        item({
          title: 'By: A\u0000my </title>',
          descriptionHtml: '<p>bell\u0007 \uD800 ]]> é</p>',
        }),
        item({ guid: 'urn:parley:comment:2', published: new Date('2026-11-27T11:00:00Z') }),
      ],
    });
    const feed = parseFeed(xml);
    expect(feed.meta).toEqual({ type: 'rss', version: '2.0' });
    expect(feed.title).toBe('Comments on: "Her" & <them>');
    expect(feed.self).toBe('http://blog.test/posts/her/feed');
    expect(feed.items.map((i) => i.title)).toEqual(['By: Amy </title>', 'By: Amy']);
    expect(feed.items[0]?.description).toContain('bell ');
    expect(feed.items[0]?.description).toContain('é');
    expect(xml.includes('\u0000') || xml.includes('\u0007')).toBe(false);
    expect(xml).toContain('<lastBuildDate>Fri, 27 Nov 2026 11:00:00 GMT</lastBuildDate>');
  });
});
